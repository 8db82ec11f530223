import { malformed, truncated } from '../diagnostics.js';
import { findSipStart, looksLikeSipStart, sipFrameLength } from '../sip/parser.js';
import { sliceChunks, type TimedChunk } from './chunks.js';
import type { StreamOutputs, StreamSink } from './stream-sink.js';

/** Largest message we wait for before giving up on a stream position (a body this big is not SIP). */
export const MAX_SIP_MESSAGE_BYTES = 4 * 1024 * 1024;
/** Longest start line we wait for across segments (RFC 3261 sets no limit; real ones are < 1 KiB). */
const MAX_START_LINE = 16 * 1024;

const CR = 0x0d;
const LF = 0x0a;

/** Counters shared by the framers of one table (one object, incremented by every framer). */
export interface SipFramerStats {
  /** Stream bytes that never formed the start of a SIP message (non-SIP traffic, resynchronisation). */
  discardedBytes: number;
  /** Messages delivered incomplete (broken by a gap, or unfinished when the stream closed). */
  partialMessages: number;
}

export function newSipFramerStats(): SipFramerStats {
  return { discardedBytes: 0, partialMessages: 0 };
}

/**
 * Frames one direction of a byte stream into SIP messages (RFC 3261 §18.3: the message ends after the
 * header section and Content-Length body bytes) and hands each to `outputs.message`:
 * - several messages in one segment, one message over many, CRLF keep-alives between messages (RFC 5626
 *   §3.5.1) skipped;
 * - a stream that does not start at a message (capture began mid-stream, or after a gap) resynchronises on
 *   the next SIP start line; the bytes skipped are counted in `stats.discardedBytes`;
 * - a message broken by a gap, or unfinished when the stream closes, is delivered as it is with a
 *   `truncated` diagnostic saying why, never silently dropped.
 * `chunks` of each message list the capture bytes it came from, in stream order. The `bytes` handed to
 * `outputs.message` are valid only during that call (they may be the caller's packet or this framer's buffer).
 */
export class SipStreamFramer<Flow> implements StreamSink {
  /** Bytes kept from the start of an unfinished message (or a partial line), `buffer[0, length)`. */
  private buffer = new Uint8Array(0);
  private length = 0;
  private chunks: TimedChunk[] = [];
  /** Where the search for the end of the header section resumes in `buffer` (the start is not rescanned). */
  private scannedTo = 0;
  /**
   * Header section complete, body not: the buffer length at which the message should be whole. Framing
   * waits for it instead of rescanning the headers for every segment of a long body.
   */
  private needed = 0;

  constructor(
    private readonly flow: Flow,
    private readonly outputs: StreamOutputs<Flow>,
    private readonly stats: SipFramerStats = newSipFramerStats(),
  ) {}

  data(payload: Uint8Array, start: number, end: number, chunk: TimedChunk): void {
    if (end > payload.length) end = payload.length;
    if (start >= end) return;
    const piece: TimedChunk = chunk.length === end - start ? chunk : { ...chunk, length: end - start };
    if (this.length === 0) {
      // Nothing kept: frame straight from the segment, copying only what is left over.
      this.frame(payload, start, end, [piece], start);
      return;
    }
    const wasHeaderIncomplete = this.scannedTo;
    this.append(payload, start, end);
    this.chunks.push(piece);
    if (this.needed > this.length) return;
    // A header section still incomplete: only the new bytes (and the 3 before, for a CRLF CRLF across the
    // boundary) can complete it, so look there before reframing the whole buffer.
    if (wasHeaderIncomplete > 0 && !hasBlankLine(this.buffer, Math.max(0, wasHeaderIncomplete - 3), this.length)) {
      this.scannedTo = this.length;
      this.checkOversized();
      return;
    }
    const buffer = this.buffer;
    const length = this.length;
    const chunks = this.chunks;
    this.length = 0;
    this.chunks = [];
    this.scannedTo = 0;
    this.needed = 0;
    this.frame(buffer, 0, length, chunks, 0);
  }

  gap(missing: number, frame: number): void {
    this.flush(`${missing} byte(s) of the TCP stream are missing from the capture before frame ${frame}`);
  }

  close(reason: string): void {
    this.flush(`${reason} before the message was complete`);
  }

  /** Frames `data[pos, end)`, described by `chunks` from buffer offset `base`; keeps what is unfinished. */
  private frame(data: Uint8Array, pos: number, end: number, chunks: TimedChunk[], base: number): void {
    const stats = this.stats;
    while (pos < end) {
      // CRLF keep-alives between messages (RFC 5626 §3.5.1) are not messages.
      while (pos < end && (data[pos] === CR || data[pos] === LF)) pos++;
      if (pos >= end) break;
      // A start line must be whole before it can be judged; wait for its end.
      const lineEnd = data.indexOf(LF, pos);
      if (lineEnd < 0 || lineEnd >= end) {
        if (end - pos <= MAX_START_LINE) this.keep(data, pos, end, chunks, base, false);
        else stats.discardedBytes += end - pos;
        return;
      }
      if (!looksLikeSipStart(data, pos, end)) {
        // Not at a SIP message: the flow carries something else (HTTP, TLS...), or the capture began
        // mid-message or after a gap. Resynchronise on the next start line.
        const found = findSipStart(data, pos, end);
        if (found < 0) {
          // Keep a trailing partial line: a start line may continue in the next segment.
          let lineStart = end;
          while (lineStart > pos && data[lineStart - 1] !== LF) lineStart--;
          stats.discardedBytes += lineStart - pos;
          if (lineStart < end && end - lineStart <= MAX_START_LINE) this.keep(data, lineStart, end, chunks, base, false);
          else stats.discardedBytes += end - lineStart;
          return;
        }
        stats.discardedBytes += found - pos;
        pos = found;
      }
      const length = sipFrameLength(data, pos, end);
      if (length < 0 || pos + length > end) {
        if (end - pos > MAX_SIP_MESSAGE_BYTES) {
          stats.partialMessages++;
          this.outputs.message(this.flow, data, pos, end, sliceChunks(chunks, pos - base, end - base), [malformed('tcp', `no end of message after ${end - pos} bytes; resynchronising on the next start line`)], false);
          return;
        }
        const headerComplete = hasBlankLine(data, pos, end);
        this.keep(data, pos, end, chunks, base, !headerComplete);
        if (headerComplete) {
          // sipFrameLength stays the judge; this estimate only says when to ask it again (never later than
          // the 4 MiB bound, never before new bytes came).
          const expected = expectedLength(this.buffer, 0, this.length);
          this.needed = Math.min(Math.max(expected, this.length + 1), MAX_SIP_MESSAGE_BYTES + 1);
        }
        return;
      }
      this.outputs.message(this.flow, data, pos, pos + length, sliceChunks(chunks, pos - base, pos + length - base), [], true);
      pos += length;
    }
  }

  /** Keeps `data[from, to)` for the next segment (`headerIncomplete`: no blank line in it yet). */
  private keep(data: Uint8Array, from: number, to: number, chunks: TimedChunk[], base: number, headerIncomplete: boolean): void {
    const kept = sliceChunks(chunks, from - base, to - base);
    if (data === this.buffer) {
      // Framing the buffer itself: move the unfinished tail to its front.
      this.buffer.copyWithin(0, from, to);
      this.length = to - from;
    } else {
      this.length = 0;
      this.append(data, from, to);
    }
    this.chunks = kept;
    this.scannedTo = headerIncomplete ? this.length : 0;
    this.needed = 0;
  }

  private append(data: Uint8Array, from: number, to: number): void {
    const needed = this.length + (to - from);
    if (needed > this.buffer.length) {
      // Grow geometrically: a message over many segments is copied O(size) times in total, not O(size²).
      const grown = new Uint8Array(Math.max(needed, this.buffer.length * 2, 2048));
      grown.set(this.buffer.subarray(0, this.length), 0);
      this.buffer = grown;
    }
    this.buffer.set(data.subarray(from, to), this.length);
    this.length = needed;
  }

  /** A header section that never ends: give up on it (reported), resynchronise on later data. */
  private checkOversized(): void {
    if (this.length <= MAX_SIP_MESSAGE_BYTES) return;
    const buffer = this.buffer;
    const length = this.length;
    const chunks = this.chunks;
    this.reset();
    if (looksLikeSipStart(buffer, 0, length)) {
      this.stats.partialMessages++;
      this.outputs.message(this.flow, buffer, 0, length, chunks, [malformed('tcp', `no end of message after ${length} bytes; resynchronising on the next start line`)], false);
    } else {
      this.stats.discardedBytes += length;
    }
    this.buffer = new Uint8Array(0);
  }

  /** The stream broke or ended: what was kept is delivered flagged (if it is a message) and forgotten. */
  private flush(reason: string): void {
    if (this.needed > 0 && this.length > 0) {
      // Waiting on an estimate: let the framer judge what is there first.
      const buffer = this.buffer;
      const kept = this.length;
      const chunks = this.chunks;
      this.reset();
      this.frame(buffer, 0, kept, chunks, 0);
    }
    const length = this.length;
    if (length > 0 && looksLikeSipStart(this.buffer, 0, length)) {
      this.stats.partialMessages++;
      this.outputs.message(this.flow, this.buffer, 0, length, this.chunks, [truncated('sip', `incomplete message: ${reason}`)], false);
    } else {
      this.stats.discardedBytes += length;
    }
    this.reset();
    // Do not hold on to a large buffer for an idle stream.
    if (this.buffer.length > 64 * 1024) this.buffer = new Uint8Array(0);
  }

  private reset(): void {
    this.length = 0;
    this.chunks = [];
    this.scannedTo = 0;
    this.needed = 0;
  }
}

/** Does `data[from, to)` contain the blank line that ends a header section (LF CRLF or LF LF)? */
function hasBlankLine(data: Uint8Array, from: number, to: number): boolean {
  for (let i = data.indexOf(LF, from); i >= 0 && i < to; i = data.indexOf(LF, i + 1)) {
    if (i + 1 < to && data[i + 1] === LF) return true;
    if (i + 2 < to && data[i + 1] === CR && data[i + 2] === LF) return true;
  }
  return false;
}

/**
 * Length of the message starting at `start` as its header section announces it: through the blank line,
 * plus the Content-Length (RFC 3261 §20.14, compact form `l` §7.3.3; header names are case-insensitive,
 * §7.3.1). 0 when the header section is not complete. Only an estimate for when to frame again.
 */
function expectedLength(data: Uint8Array, start: number, end: number): number {
  let contentLength = 0;
  let line = start;
  while (line < end) {
    let e = line;
    while (e < end && data[e] !== LF) e++;
    if (e >= end) return 0;
    if (data[line] === LF || (data[line] === CR && line + 1 === e)) return e + 1 - start + contentLength;
    let n = line;
    while (n < e && data[n] !== 0x3a && data[n] !== 0x20 && data[n] !== 0x09) n++;
    if (matchesLower(data, line, n, 'content-length') || matchesLower(data, line, n, 'l')) {
      while (n < e && (data[n] === 0x20 || data[n] === 0x09)) n++;
      if (data[n] === 0x3a) {
        n++;
        while (n < e && (data[n] === 0x20 || data[n] === 0x09)) n++;
        let v = 0;
        while (n < e && data[n] >= 0x30 && data[n] <= 0x39 && v < 1e12) v = v * 10 + (data[n++] - 0x30);
        contentLength = v;
      }
    }
    line = e + 1;
  }
  return 0;
}

function matchesLower(data: Uint8Array, from: number, to: number, name: string): boolean {
  if (to - from !== name.length) return false;
  for (let i = 0; i < name.length; i++) if ((data[from + i] | 0x20) !== name.charCodeAt(i)) return false;
  return true;
}
