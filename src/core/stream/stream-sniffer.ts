/**
 * Which protocol does a TCP direction carry? SIP (RFC 3261 §18.3), SIP over WebSocket (RFC 7118), TLS
 * (RFC 8446 §5.1) or HEPv3 — told apart by content, whatever the ports, from the first bytes of the
 * direction. The sniffer holds those bytes (bounded) until it can decide, then creates the right sink and
 * replays them to it; everything after goes straight through.
 *
 * At the start of a direction:
 *  - CR/LF (a keep-alive, RFC 5626 §3.5.1) or a SIP start line              → SIP
 *  - `GET ` with `Upgrade: websocket`, or `HTTP/1.x 101` with it (RFC 6455 §4) → WebSocket
 *  - a TLS record header (type 20-24, version 3.0-3.4, bounded length)        → TLS
 *  - `HEP3` with a consistent length                                          → HEP
 *  - a WebSocket data frame whose payload starts with a SIP start line        → WebSocket (handshake not captured)
 * Anything else is a direction picked up mid-way (through a SIP message, a frame, a record, a packet): the
 * held bytes are searched for the first unit boundary that one of the above recognises (a SIP start line at
 * a line start; a TLS record must be followed by another); with none within `SNIFF_LIMIT` bytes, SIP (its
 * framer resynchronises on the next start line and discards what is not SIP).
 */
import { looksLikeSipStart } from '../sip/start-line.js';
import type { DecodeAsProtocol } from '../layers/packet.js';
import type { TimedChunk } from './chunks.js';
import { HepStreamSink, judgeHepPacket } from './hep-stream.js';
import type { StreamOutputs, StreamSink } from './stream-sink.js';
import { judgeTlsRecord, TlsRecordSink } from './tls-records.js';
import { HeldBytes } from './unit-stream.js';
import { judgeWebSocketFrame, readWebSocketHandshake, WebSocketSink } from './websocket.js';

/** Bytes of a binary start searched for a unit boundary before giving up (a TLS record plus the next header fits). */
export const SNIFF_LIMIT = 20 * 1024;
/** Longest text first line (or HTTP header block) waited for. */
const SNIFF_TEXT_LIMIT = 16 * 1024;

export type SniffedProtocol = 'sip' | 'websocket' | 'tls' | 'hep';

export interface SniffResult {
  protocol: SniffedProtocol;
  /** The direction did not start at a unit boundary: the sink must look for one first. */
  midStream: boolean;
}

/** A byte that does not occur in a text line (controls other than HTAB/CR/LF). */
function isBinary(c: number): boolean {
  return (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f;
}

/**
 * Decides what the first `end` bytes of a direction carry, or `undefined` when more bytes are needed.
 * With `final` (a gap or the end came before a decision) it decides with what is there.
 */
export function sniffStreamProtocol(bytes: Uint8Array, end: number, final: boolean): SniffResult | undefined {
  if (end > bytes.length) end = bytes.length;
  const sip: SniffResult = { protocol: 'sip', midStream: false };
  if (end === 0) return final ? sip : undefined;
  const b0 = bytes[0];
  if (b0 === 0x0d || b0 === 0x0a) {
    // Keep-alives (RFC 5626 §3.5.1) before a start line — or the end of a line picked up mid-way.
    let s = 0;
    while (s < end && (bytes[s] === 0x0d || bytes[s] === 0x0a)) s++;
    const decide = final || end >= SNIFF_LIMIT;
    if (s === end) return decide ? sip : undefined;
    let lf = s;
    while (lf < end && bytes[lf] !== 0x0a) lf++;
    if (lf === end && !decide && end - s < SNIFF_TEXT_LIMIT) return undefined;
    if (looksLikeSipStart(bytes, s, end)) return sip;
    return searchUnitBoundary(bytes, s, end, decide) ?? (decide ? sip : undefined);
  }

  // TLS record header at the start (content types 20-24 are not text: no clash with the checks below).
  if (b0 >= 20 && b0 <= 24) {
    if (end < 5 && !final) return undefined;
    if (end >= 5 && bytes[1] === 3 && bytes[2] <= 4 && ((bytes[3] << 8) | bytes[4]) <= 16384 + 2048) return { protocol: 'tls', midStream: false };
  }
  const hep = judgeHepPacket(bytes, 0, end);
  if (hep === 'yes') return { protocol: 'hep', midStream: false };
  if (hep === 'more' && !final) return undefined;

  const hs = readWebSocketHandshake(bytes, 0, end, SNIFF_TEXT_LIMIT);
  if (hs === 'more' && !final) return undefined;
  if (typeof hs === 'object') {
    return hs.upgrade && (hs.kind === 'request' || hs.status === 101) ? { protocol: 'websocket', midStream: false } : sip;
  }

  const ws = judgeWebSocketFrame(bytes, 0, end);
  if (ws === 'yes') return { protocol: 'websocket', midStream: false };
  if (ws === 'more' && !final) return undefined;

  // A text start: judge its first line.
  let lineEnd = -1;
  let binary = false;
  for (let i = 0; i < end; i++) {
    const c = bytes[i];
    if (c === 0x0a) {
      lineEnd = i;
      break;
    }
    if (isBinary(c)) {
      binary = true;
      break;
    }
  }
  if (!binary) {
    if (lineEnd < 0 && end < SNIFF_TEXT_LIMIT && !final) return undefined;
    if (looksLikeSipStart(bytes, 0, end)) return sip;
  }
  // Not at a unit boundary: a SIP stream picked up mid-message, or the (text or binary) payload of a
  // WebSocket frame or HEP packet. The first boundary recognised decides.
  const found = searchUnitBoundary(bytes, 1, end, final || end >= SNIFF_LIMIT);
  if (found !== undefined) return found;
  return final || end >= SNIFF_LIMIT ? sip : undefined;
}

/**
 * The first position in [from, end) where a unit of one of the protocols begins; `undefined` when none, or
 * when (unless `final`) an earlier position cannot be judged yet.
 */
function searchUnitBoundary(bytes: Uint8Array, from: number, end: number, final: boolean): SniffResult | undefined {
  for (let p = from; p < end; p++) {
    const ws = judgeWebSocketFrame(bytes, p, end);
    if (ws === 'yes') return { protocol: 'websocket', midStream: true };
    if (bytes[p - 1] === 0x0a && looksLikeSipStart(bytes, p, end)) return { protocol: 'sip', midStream: true };
    const hep = judgeHepPacket(bytes, p, end);
    if (hep === 'yes') return { protocol: 'hep', midStream: true };
    const tls = judgeTlsRecord(bytes, p, end);
    if (tls === 'yes') return { protocol: 'tls', midStream: true };
    if (!final && (ws === 'more' || hep === 'more' || tls === 'more')) return undefined;
  }
  return undefined;
}

/** Chooses the sink of one TCP direction by content (or by a decode-as rule) and feeds it. */
export class StreamProtocolSniffer<Flow> implements StreamSink {
  private readonly held = new HeldBytes();
  private chosen: StreamSink | undefined;
  private decided: SniffedProtocol | 'none' | undefined;

  /**
   * `forced`: a decode-as rule for this direction's port: 'sip' | 'websocket' | 'tls' | 'hep' use that sink
   * without looking, 'none' discards the direction; the other protocols (UDP/IP tunnels) mean nothing on a
   * byte stream and leave detection on.
   */
  constructor(
    private readonly flow: Flow,
    private readonly outputs: StreamOutputs<Flow>,
    private readonly createSipSink: (flow: Flow, outputs: StreamOutputs<Flow>) => StreamSink,
    forced?: DecodeAsProtocol,
  ) {
    if (forced === 'none') this.decided = 'none';
    else if (forced === 'sip' || forced === 'websocket' || forced === 'tls' || forced === 'hep') this.choose({ protocol: forced, midStream: false });
  }

  /** What the direction was recognised as (undefined while undecided). */
  get protocol(): SniffedProtocol | 'none' | undefined {
    return this.decided;
  }

  /** The sink the direction feeds once decided. */
  get sink(): StreamSink | undefined {
    return this.chosen;
  }

  data(payload: Uint8Array, start: number, end: number, chunk: TimedChunk): void {
    if (this.chosen) {
      this.chosen.data(payload, start, end, chunk);
      return;
    }
    if (this.decided === 'none' || end <= start) return;
    this.held.append(payload, start, end, chunk);
    const result = sniffStreamProtocol(this.held.bytes, this.held.length, false);
    if (result) this.replayTo(result);
  }

  gap(missing: number, frame: number): void {
    if (!this.chosen && this.decided !== 'none' && this.held.length > 0) {
      this.replayTo(sniffStreamProtocol(this.held.bytes, this.held.length, true) ?? { protocol: 'sip', midStream: false });
    }
    // A gap before any byte arrived is not a gap in anything a sink has seen: the sink starts after it.
    this.chosen?.gap(missing, frame);
  }

  close(reason: string): void {
    if (!this.chosen && this.decided !== 'none' && this.held.length > 0) {
      this.replayTo(sniffStreamProtocol(this.held.bytes, this.held.length, true) ?? { protocol: 'sip', midStream: false });
    }
    this.chosen?.close(reason);
  }

  private choose(result: SniffResult): StreamSink {
    this.decided = result.protocol;
    const options = { midStream: result.midStream };
    switch (result.protocol) {
      case 'sip':
        this.chosen = this.createSipSink(this.flow, this.outputs);
        break;
      case 'websocket':
        this.chosen = new WebSocketSink(this.flow, this.outputs, options);
        break;
      case 'tls':
        this.chosen = new TlsRecordSink(this.flow, this.outputs, options);
        break;
      case 'hep':
        this.chosen = new HepStreamSink(this.flow, this.outputs, options);
        break;
    }
    return this.chosen;
  }

  private replayTo(result: SniffResult): void {
    const sink = this.choose(result);
    for (const piece of this.held.takeFrom(0)) sink.data(piece.bytes, piece.start, piece.end, piece.chunk);
  }
}
