/**
 * SIP over WebSocket (RFC 7118) on one direction of a TCP stream: the HTTP/1.1 opening handshake
 * (RFC 6455 §4), then base framing (RFC 6455 §5.2): FIN, RSV, opcode, MASK, 7/16/64-bit payload length,
 * masking key. Text and binary messages carry SIP, one SIP message per WebSocket message (RFC 7118 §5),
 * so messages are delivered with `contentLengthFramed = false`. Control frames (ping, pong, close) are
 * skipped; continuation frames are joined into one message (RFC 6455 §5.4).
 *
 * Chunks of a delivered message: for unmasked frames (server to client) they are the exact capture bytes
 * of the payload, headers excluded, so re-reading them gives the message text. For masked frames (client
 * to server, RFC 6455 §5.3) the capture holds masked bytes, so the chunks cover the message's whole frames
 * (header and masked payload, control frames in between excluded): re-read them and pass the bytes to
 * `webSocketMessageFromFrames` to get the text back.
 *
 * Not decoded: permessage-deflate (RFC 7692, RSV1): such messages are counted and reported, not delivered.
 */
import { malformed, note, truncated, type Diagnostic } from '../diagnostics.js';
import { looksLikeSipStart } from '../sip/start-line.js';
import { sliceChunks, type TimedChunk } from './chunks.js';
import type { StreamOutputs } from './stream-sink.js';
import { NEED_MORE, pushChunk, UnitStreamSink } from './unit-stream.js';

const LAYER = 'websocket';
/** Largest message we keep (a SIP message is a few KiB; RFC 7118 sets no limit). */
export const MAX_WEBSOCKET_MESSAGE = 4 * 1024 * 1024;
/** Longest HTTP header block we wait for (browsers send ~1-8 KiB with cookies). */
const MAX_HANDSHAKE = 64 * 1024;
/** Payload bytes unmasked to judge whether a frame starts a SIP message (a start line fits). */
const JUDGE_PREFIX = 256;

// Opcodes, RFC 6455 §5.2 / §11.8.
const OP_CONTINUATION = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;

/** A decoded frame header (RFC 6455 §5.2). */
export interface WebSocketFrameHeader {
  fin: boolean;
  /** RSV1: set on the first frame of a permessage-deflate compressed message (RFC 7692 §6). */
  compressed: boolean;
  opcode: number;
  masked: boolean;
  /** Offset of the 4-byte masking key in the buffer (when masked). */
  keyOffset: number;
  headerLength: number;
  payloadLength: number;
}

/**
 * Reads the frame header at `p`: the header, `undefined` when [p, end) is too short to hold it, or an error
 * text when the bytes break RFC 6455 §5.2 / §5.5 (these never appear in a stream we are in step with).
 */
export function readWebSocketFrameHeader(bytes: Uint8Array, p: number, end: number): WebSocketFrameHeader | string | undefined {
  if (end > bytes.length) end = bytes.length;
  if (p + 2 > end) return undefined;
  const b0 = bytes[p];
  const b1 = bytes[p + 1];
  const opcode = b0 & 0x0f;
  const fin = (b0 & 0x80) !== 0;
  if ((b0 & 0x30) !== 0) return `RSV2/RSV3 bits set (0x${b0.toString(16)}) with no extension defining them (RFC 6455 §5.2)`;
  if ((opcode >= 0x3 && opcode <= 0x7) || opcode >= 0xb) return `reserved opcode 0x${opcode.toString(16)} (RFC 6455 §5.2)`;
  const control = (opcode & 0x8) !== 0;
  const compressed = (b0 & 0x40) !== 0;
  if (compressed && (control || opcode === OP_CONTINUATION)) return `RSV1 set on a ${control ? 'control' : 'continuation'} frame (RFC 7692 §6)`;
  const masked = (b1 & 0x80) !== 0;
  let length = b1 & 0x7f;
  let h = 2;
  if (length === 126) {
    if (p + 4 > end) return undefined;
    length = (bytes[p + 2] << 8) | bytes[p + 3];
    h = 4;
  } else if (length === 127) {
    if (p + 10 > end) return undefined;
    // The most significant bit MUST be 0 (§5.2); beyond 4 GiB is not signalling either: refuse both.
    if (bytes[p + 2] !== 0 || bytes[p + 3] !== 0 || bytes[p + 4] !== 0 || bytes[p + 5] !== 0) {
      return 'a 64-bit payload length beyond 4 GiB (RFC 6455 §5.2)';
    }
    length = ((bytes[p + 6] << 24) >>> 0) + (bytes[p + 7] << 16) + (bytes[p + 8] << 8) + bytes[p + 9];
    h = 10;
  }
  if (control && (!fin || length > 125)) return 'a fragmented or longer than 125 bytes control frame (RFC 6455 §5.5)';
  const keyOffset = masked ? p + h : -1;
  if (masked) h += 4;
  if (p + h > end) return undefined;
  return { fin, compressed, opcode, masked, keyOffset, headerLength: h, payloadLength: length };
}

const scratch = new Uint8Array(JUDGE_PREFIX);

/**
 * Does a WebSocket frame that starts a SIP message begin at `p`? Used to pick up a stream whose handshake
 * was not captured and to resynchronise after a gap: a text or binary frame header (RSV clear, the minimal
 * length encoding of §5.2) whose payload, unmasked, begins with a SIP start line. `more` when [p, end) is
 * too short to tell.
 */
export function judgeWebSocketFrame(bytes: Uint8Array, p: number, end: number): 'yes' | 'no' | 'more' {
  if (end > bytes.length) end = bytes.length;
  if (p >= end) return 'more';
  const b0 = bytes[p];
  if ((b0 & 0x70) !== 0 || ((b0 & 0x0f) !== OP_TEXT && (b0 & 0x0f) !== OP_BINARY)) return 'no';
  const header = readWebSocketFrameHeader(bytes, p, end);
  if (header === undefined) return 'more';
  if (typeof header === 'string') return 'no';
  const len7 = bytes[p + 1] & 0x7f;
  const length = header.payloadLength;
  if ((len7 === 126 && length < 126) || (len7 === 127 && length < 65536) || length < 8) return 'no';
  const from = p + header.headerLength;
  const want = Math.min(length, JUDGE_PREFIX);
  const have = Math.min(want, end - from);
  let lf = false;
  for (let i = 0; i < have; i++) {
    const c = header.masked ? bytes[from + i] ^ bytes[header.keyOffset + (i & 3)] : bytes[from + i];
    scratch[i] = c;
    if (c === 0x0a) lf = true;
  }
  if (have < want && !lf) return 'more';
  return looksLikeSipStart(scratch, 0, have) ? 'yes' : 'no';
}

/** What an HTTP/1.1 opening handshake said (RFC 6455 §4.1 request, §4.2.2 response). */
export interface WebSocketHandshake {
  kind: 'request' | 'response';
  /** The response status code (101 accepts the upgrade); 0 for a request. */
  status: number;
  /** `Upgrade: websocket` is present. */
  upgrade: boolean;
  /** `Sec-WebSocket-Protocol` lists `sip` (RFC 7118 §4.1). */
  sip: boolean;
  /** `Sec-WebSocket-Extensions` lists `permessage-deflate` (RFC 7692): offered (request) or accepted (response). */
  deflate: boolean;
  /** Offset just after the blank line that ends the header block. */
  end: number;
}

function startsWithAscii(bytes: Uint8Array, p: number, end: number, text: string): boolean | undefined {
  for (let i = 0; i < text.length; i++) {
    if (p + i >= end) return undefined;
    if (bytes[p + i] !== text.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * Reads an HTTP/1.1 header block at `p` that begins `GET ` or `HTTP/1.`: the handshake, `'more'` when its
 * end (CRLFCRLF) is not there yet, or `undefined` when the bytes are not such a block (or it exceeds `max`).
 */
export function readWebSocketHandshake(bytes: Uint8Array, p: number, end: number, max = MAX_HANDSHAKE): WebSocketHandshake | 'more' | undefined {
  if (end > bytes.length) end = bytes.length;
  const get = startsWithAscii(bytes, p, end, 'GET ');
  const http = get === true ? false : startsWithAscii(bytes, p, end, 'HTTP/1.');
  if (get !== true && http !== true) return get === undefined || http === undefined ? 'more' : undefined;
  let blank = -1;
  const limit = Math.min(end, p + max);
  for (let i = p; i + 3 < limit; i++) {
    if (bytes[i] === 0x0d && bytes[i + 1] === 0x0a && bytes[i + 2] === 0x0d && bytes[i + 3] === 0x0a) {
      blank = i;
      break;
    }
  }
  if (blank < 0) return end - p >= max ? undefined : 'more';
  const text = new TextDecoder('latin1').decode(bytes.subarray(p, blank));
  const lines = text.split('\r\n');
  const result: WebSocketHandshake = { kind: get ? 'request' : 'response', status: 0, upgrade: false, sip: false, deflate: false, end: blank + 4 };
  if (!get) {
    const m = /^HTTP\/1\.\d (\d{3})/.exec(lines[0]);
    result.status = m ? Number(m[1]) : 0;
  }
  // Header fields (RFC 9110 §5): case-insensitive names, comma-separated list values.
  for (let i = 1; i < lines.length; i++) {
    const colon = lines[i].indexOf(':');
    if (colon <= 0) continue;
    const name = lines[i].substring(0, colon).trim().toLowerCase();
    const values = lines[i]
      .substring(colon + 1)
      .split(',')
      .map((v) => v.split(';')[0].trim().toLowerCase());
    if (name === 'upgrade' && values.includes('websocket')) result.upgrade = true;
    else if (name === 'sec-websocket-protocol' && values.includes('sip')) result.sip = true;
    else if (name === 'sec-websocket-extensions' && values.includes('permessage-deflate')) result.deflate = true;
  }
  return result;
}

/**
 * The payload of the data frames in `bytes` (whole frames back to back, as the chunks of a masked message
 * cover them), unmasked and joined; control frames are skipped. Stops at the first incomplete frame.
 */
export function webSocketMessageFromFrames(bytes: Uint8Array, start = 0, end = bytes.length): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  let p = start;
  while (p < end) {
    const h = readWebSocketFrameHeader(bytes, p, end);
    if (h === undefined || typeof h === 'string') break;
    const from = p + h.headerLength;
    if (from + h.payloadLength > end) break;
    if ((h.opcode & 0x8) === 0) {
      const part = bytes.slice(from, from + h.payloadLength);
      if (h.masked) for (let i = 0; i < part.length; i++) part[i] ^= bytes[h.keyOffset + (i & 3)];
      parts.push(part);
      total += part.length;
    }
    p = from + h.payloadLength;
  }
  return joinParts(parts, total);
}

function joinParts(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export interface WebSocketSinkOptions {
  /** The stream was picked up after its start (not at a frame boundary): look for a frame first. */
  midStream?: boolean;
  /** Largest message kept (default 4 MiB); the rest of a larger one is skipped and the message flagged. */
  maxMessage?: number;
}

export interface WebSocketStats {
  frames: number;
  controlFrames: number;
  /** SIP messages delivered. */
  messages: number;
  /** Messages holding only CR/LF/SP (keep-alives some clients send, RFC 5626 §3.5.1 style). */
  keepAlives: number;
  /** Messages that do not start with a SIP start line (on a connection that did not negotiate `sip`). */
  nonSip: number;
  /** permessage-deflate messages (not decoded). */
  compressed: number;
  handshakes: number;
  gaps: number;
  /** Bytes skipped while looking for a frame (stream picked up mid-way, after a gap or malformed header). */
  discardedBytes: number;
}

type State = 'start' | 'handshake' | 'header' | 'payload' | 'resync';

/** One direction of a WebSocket connection, delivering the SIP messages it carries. */
export class WebSocketSink<Flow> extends UnitStreamSink<Flow> {
  readonly stats: WebSocketStats = { frames: 0, controlFrames: 0, messages: 0, keepAlives: 0, nonSip: 0, compressed: 0, handshakes: 0, gaps: 0, discardedBytes: 0 };
  private state: State;
  private readonly maxMessage: number;
  /** The handshake negotiated the `sip` subprotocol: every message is SIP, even a malformed one. */
  private sipProtocol = false;

  // The frame being read.
  private remaining = 0;
  private masked = false;
  private readonly key = new Uint8Array(4);
  private keyPos = 0;
  /** The frame's payload belongs to the open message (a data or continuation frame of it). */
  private frameInMessage = false;
  private frameFin = false;

  // The message being assembled.
  private open = false;
  private parts: Uint8Array[] = [];
  private chunks: TimedChunk[] = [];
  private stored = 0;
  private size = 0;
  private storing = true;
  private compressed = false;
  private problems: Diagnostic[] = [];

  constructor(flow: Flow, outputs: StreamOutputs<Flow>, options: WebSocketSinkOptions = {}) {
    super(flow, outputs);
    this.state = options.midStream ? 'resync' : 'start';
    this.maxMessage = options.maxMessage ?? MAX_WEBSOCKET_MESSAGE;
  }

  protected streamLength(): number {
    return this.state === 'payload' ? this.remaining : 0;
  }

  protected stream(bytes: Uint8Array, start: number, end: number, chunk: TimedChunk): void {
    const n = end - start;
    if (this.frameInMessage) {
      this.size += n;
      if (this.storing) {
        const keep = Math.min(n, this.maxMessage - this.stored);
        if (keep > 0) {
          const part = bytes.slice(start, start + keep);
          if (this.masked) for (let i = 0; i < keep; i++) part[i] ^= this.key[(this.keyPos + i) & 3];
          this.parts.push(part);
          this.stored += keep;
          pushChunk(this.chunks, keep === n ? chunk : { ...chunk, length: keep });
        }
      }
    }
    this.keyPos += n;
    this.remaining -= n;
    if (this.remaining === 0) this.frameEnd();
  }

  protected unit(bytes: Uint8Array, pos: number, end: number, chunks: TimedChunk[], base: number): number {
    switch (this.state) {
      case 'start': {
        const hs = readWebSocketHandshake(bytes, pos, end);
        if (hs === 'more') return NEED_MORE;
        if (hs !== undefined) {
          this.state = 'handshake';
          return 0;
        }
        const judged = judgeWebSocketFrame(bytes, pos, end);
        if (judged === 'more') return NEED_MORE;
        // A frame that does not start SIP (a ping, a non-SIP message) is still trusted at the very start.
        const header = readWebSocketFrameHeader(bytes, pos, end);
        if (judged === 'no' && header === undefined) return NEED_MORE;
        this.state = judged === 'yes' || typeof header === 'object' ? 'header' : 'resync';
        return 0;
      }
      case 'handshake': {
        const hs = readWebSocketHandshake(bytes, pos, end);
        if (hs === 'more') return NEED_MORE;
        if (hs === undefined) {
          // No end of the header block within the limit: look for frames instead.
          this.state = 'resync';
          return 0;
        }
        this.stats.handshakes++;
        if (hs.sip) this.sipProtocol = true;
        // A refused upgrade (not 101) leaves plain HTTP: nothing here is a frame, resync finds none.
        this.state = hs.kind === 'response' && hs.status !== 101 ? 'resync' : 'header';
        return hs.end - pos;
      }
      case 'header':
        return this.header(bytes, pos, end, chunks, base);
      case 'resync':
        return this.resync(bytes, pos, end, judgeWebSocketFrame, () => (this.state = 'header'));
      case 'payload':
        return 0; // not reached: payload bytes are streamed
    }
  }

  private header(bytes: Uint8Array, pos: number, end: number, chunks: TimedChunk[], base: number): number {
    const h = readWebSocketFrameHeader(bytes, pos, end);
    if (h === undefined) return NEED_MORE;
    if (typeof h === 'string') {
      // Out of step with the stream (or a broken sender): say so on the message it breaks, and resync.
      this.finish(malformed(LAYER, `bad frame header: ${h}; resynchronising`));
      this.state = 'resync';
      return 0;
    }
    this.stats.frames++;
    const control = (h.opcode & 0x8) !== 0;
    this.frameFin = h.fin;
    this.masked = h.masked;
    if (h.masked) for (let i = 0; i < 4; i++) this.key[i] = bytes[h.keyOffset + i];
    this.keyPos = 0;
    this.remaining = h.payloadLength;
    this.frameInMessage = false;
    if (control) {
      this.stats.controlFrames++;
      // A close frame ends the sender's messages (§5.5.1); frames after it are read all the same.
      if (h.opcode === OP_CLOSE && this.open) this.problems.push(note(LAYER, 'close frame inside a fragmented message'));
    } else if (h.opcode === OP_CONTINUATION) {
      // Without an open message the start was lost (gap, capture start): skip the fragment.
      this.frameInMessage = this.open;
    } else {
      if (this.open) this.finish(malformed(LAYER, 'a new message began before this one ended (no final fragment, RFC 6455 §5.4)'));
      const payloadStart = pos + h.headerLength;
      const payloadEnd = payloadStart + h.payloadLength;
      if (h.fin && !h.masked && !h.compressed && payloadEnd <= end && h.payloadLength <= this.maxMessage) {
        // Fast path: a whole unfragmented unmasked message in view: deliver it in place.
        this.deliver(bytes, payloadStart, payloadEnd, sliceChunks(chunks, payloadStart - base, payloadEnd - base), [], h.payloadLength);
        this.state = 'header';
        return payloadEnd - pos;
      }
      this.open = true;
      this.compressed = h.compressed;
      this.storing = !h.compressed;
      this.frameInMessage = true;
    }
    // Masked frames: the message's chunks cover the frame header too (see the file comment).
    if (this.frameInMessage && h.masked && this.storing) {
      for (const c of sliceChunks(chunks, pos - base, pos + h.headerLength - base)) pushChunk(this.chunks, c);
    }
    this.state = 'payload';
    if (this.remaining === 0) this.frameEnd();
    return h.headerLength;
  }

  private frameEnd(): void {
    this.state = 'header';
    if (this.frameInMessage && this.frameFin) this.finish();
    this.frameInMessage = false;
  }

  /** Ends the open message (whole, or cut short with `problem`) and delivers it when it is SIP. */
  private finish(problem?: Diagnostic): void {
    if (!this.open) return;
    const problems = problem ? [...this.problems, problem] : this.problems;
    if (this.size > this.maxMessage) problems.push(malformed(LAYER, `message of ${this.size} bytes exceeds the ${this.maxMessage}-byte limit; only its first ${this.stored} bytes are kept`));
    const bytes = joinParts(this.parts, this.stored);
    const chunks = this.chunks;
    const compressed = this.compressed;
    const size = this.size;
    this.open = false;
    this.parts = [];
    this.chunks = [];
    this.stored = 0;
    this.size = 0;
    this.storing = true;
    this.compressed = false;
    this.problems = [];
    if (compressed) {
      this.stats.compressed++;
      return;
    }
    if (bytes.length === 0) return;
    this.deliver(bytes, 0, bytes.length, chunks, problems, size);
  }

  private deliver(bytes: Uint8Array, start: number, end: number, chunks: TimedChunk[], problems: Diagnostic[], size: number): void {
    let s = start;
    while (s < end && (bytes[s] === 0x0d || bytes[s] === 0x0a || bytes[s] === 0x20)) s++;
    if (s === end && size === end - start) {
      this.stats.keepAlives++;
      return;
    }
    if (!this.sipProtocol && !looksLikeSipStart(bytes, start, end)) {
      this.stats.nonSip++;
      return;
    }
    this.stats.messages++;
    this.outputs.message(this.flow, bytes, start, end, chunks, problems, false);
  }

  gap(missing: number, frame: number): void {
    this.stats.gaps++;
    if (this.state === 'payload' && missing <= this.remaining) {
      // The hole is inside this frame's payload: its length keeps us in step with the framing. The message
      // is cut there; what came before is delivered (flagged) and the rest of it skipped.
      if (this.frameInMessage && this.storing) {
        this.storing = false;
        this.problems.push(truncated(LAYER, `${missing} byte(s) of this message are missing from the capture (before frame ${frame}); only the part before the gap is shown`));
      }
      if (this.frameInMessage) this.size += missing;
      this.remaining -= missing;
      this.keyPos += missing;
      if (this.remaining === 0) this.frameEnd();
      return;
    }
    this.finish(truncated(LAYER, `${missing} byte(s) of the stream are missing from the capture (before frame ${frame}); the message is incomplete`));
    this.held.clear();
    this.state = 'resync';
  }

  close(reason: string): void {
    this.finish(truncated(LAYER, `incomplete message: ${reason}`));
    this.held.clear();
    const s = this.stats;
    if (s.messages > 0 && s.compressed === 0 && s.nonSip === 0) return;
    if (s.frames === 0 && s.handshakes === 0) return;
    const what: string[] = [];
    if (s.compressed > 0) what.push(`${s.compressed} compressed with permessage-deflate (not decoded)`);
    if (s.nonSip > 0) what.push(`${s.nonSip} not SIP`);
    if (s.messages > 0) what.push(`${s.messages} SIP`);
    this.report(LAYER, s.frames, this.bytesSeen, `WebSocket, ${s.frames} frames${what.length > 0 ? ', messages: ' + what.join(', ') : ', no SIP message'}`);
  }
}
