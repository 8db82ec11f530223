import { malformed, truncated, type Diagnostic } from '../diagnostics.js';
import { findSipStart, looksLikeSipStart, sipFrameLength } from '../sip/parser.js';
import { sliceChunks, type TimedChunk } from './chunks.js';

/** Where framed messages go: the bytes of one whole (or, with diagnostics, partial) SIP message. */
export type StreamMessageHandler<Flow> = (
  flow: Flow,
  bytes: Uint8Array,
  start: number,
  end: number,
  chunks: TimedChunk[],
  diagnostics: Diagnostic[],
  complete: boolean,
) => void;

/** Largest message we wait for before giving up on a stream position (a body this big is not SIP). */
const MAX_PENDING_BYTES = 4 * 1024 * 1024;
/** Longest start line we wait for across segments (RFC 3261 sets no limit; real ones are < 1 KiB). */
const MAX_START_LINE = 16 * 1024;

/** Sequence-space comparison modulo 2^32 (RFC 9293 §3.4). */
function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

interface Direction<Flow> {
  /** What the caller knows about this flow (addresses, encapsulation), given when it was first seen. */
  flow: Flow;
  /** Next expected sequence number, once known. */
  nextSeq: number | undefined;
  /** Bytes kept from the start of an unfinished message (or an unsynchronised partial line). */
  pending: Uint8Array | undefined;
  pendingChunks: TimedChunk[];
}

/**
 * One TCP direction's byte stream, framed into SIP messages by Content-Length (RFC 3261 §18.3).
 * This first version follows in-order segments, drops retransmitted bytes and trims overlaps; a segment
 * that arrives after a hole is treated as a gap (reported on the message it breaks) and the stream
 * resynchronises on the next start line. Out-of-order buffering is the reassembly issue's work.
 */
export class TcpStreamTable<Flow> {
  private readonly directions = new Map<string, Direction<Flow>>();
  retransmittedSegments = 0;
  gaps = 0;
  /** Stream bytes that never formed the start of a SIP message (non-SIP traffic on a TCP flow). */
  discardedBytes = 0;

  constructor(private readonly emit: StreamMessageHandler<Flow>) {}

  get streamCount(): number {
    return this.directions.size;
  }

  /**
   * Feeds one segment. `payload[start, end)` are its data bytes; `seq` its sequence number; `syn`/`fin`
   * its flags. `chunk` says where the payload is in the file (its frame, offset and time).
   */
  segment(key: string, describeFlow: () => Flow, seq: number, syn: boolean, finOrRst: boolean, payload: Uint8Array, start: number, end: number, chunk: TimedChunk): void {
    let direction = this.directions.get(key);
    if (!direction) {
      direction = { flow: describeFlow(), nextSeq: undefined, pending: undefined, pendingChunks: [] };
      this.directions.set(key, direction);
    }
    if (syn) {
      // The SYN takes one sequence number; data starts right after it, at a message boundary.
      direction.nextSeq = (seq + 1) >>> 0;
      direction.pending = undefined;
      direction.pendingChunks = [];
      seq = (seq + 1) >>> 0;
    }
    if (end > start) {
      let startSeq = seq;
      if (direction.nextSeq === undefined) {
        direction.nextSeq = seq;
      } else {
        const delta = seqDiff(seq, direction.nextSeq);
        if (delta < 0) {
          if (delta + (end - start) <= 0) {
            this.retransmittedSegments++;
            start = end; // every byte was seen already
          } else {
            // Overlaps bytes already seen: keep only the new part.
            start -= delta;
            chunk = { ...chunk, fileOffset: chunk.fileOffset - delta };
            startSeq = direction.nextSeq;
          }
        } else if (delta > 0) {
          this.gaps++;
          this.flush(direction, `${delta} byte(s) of the TCP stream are missing from the capture before frame ${chunk.frame}`);
        }
      }
      if (end > start) {
        direction.nextSeq = (startSeq + (end - start)) >>> 0;
        this.consume(direction, payload, start, end, chunk);
      }
    }
    if (finOrRst) {
      this.flush(direction, 'the TCP connection closed before the message was complete');
      this.directions.delete(key);
    }
  }

  /** End of the capture: report every unfinished message. */
  finish(): void {
    for (const direction of this.directions.values()) this.flush(direction, 'the capture ended before the message was complete');
    this.directions.clear();
  }

  private consume(direction: Direction<Flow>, payload: Uint8Array, start: number, end: number, chunk: TimedChunk): void {
    let data = payload;
    let pos = start;
    let dataEnd = end;
    let chunks: TimedChunk[];
    let base = start; // buffer offset that chunk lists are relative to
    if (direction.pending) {
      const joined = new Uint8Array(direction.pending.length + (end - start));
      joined.set(direction.pending, 0);
      joined.set(payload.subarray(start, end), direction.pending.length);
      data = joined;
      pos = 0;
      base = 0;
      dataEnd = joined.length;
      chunks = [...direction.pendingChunks, { ...chunk, length: end - start }];
      direction.pending = undefined;
      direction.pendingChunks = [];
    } else {
      chunks = [{ ...chunk, length: end - start }];
    }

    while (pos < dataEnd) {
      // CRLF keep-alives between messages (RFC 5626 §3.5.1) are not messages.
      while (pos < dataEnd && (data[pos] === 0x0d || data[pos] === 0x0a)) pos++;
      if (pos >= dataEnd) break;
      // A start line must be whole before it can be judged; wait for its end.
      const lineEnd = data.indexOf(0x0a, pos);
      if (lineEnd < 0 || lineEnd >= dataEnd) {
        if (dataEnd - pos <= MAX_START_LINE) this.keep(direction, data, pos, dataEnd, chunks, base);
        else this.discardedBytes += dataEnd - pos;
        return;
      }
      if (!looksLikeSipStart(data, pos, dataEnd)) {
        // Not at a SIP message: the flow carries something else (HTTP, TLS...), or the capture began
        // mid-message or after a gap. Resynchronise on the next start line.
        const found = findSipStart(data, pos, dataEnd);
        if (found < 0) {
          // Keep a trailing partial line: a start line may continue in the next segment.
          let lineStart = dataEnd;
          while (lineStart > pos && data[lineStart - 1] !== 0x0a) lineStart--;
          this.discardedBytes += lineStart - pos;
          if (lineStart < dataEnd && dataEnd - lineStart <= MAX_START_LINE) this.keep(direction, data, lineStart, dataEnd, chunks, base);
          else this.discardedBytes += dataEnd - lineStart;
          return;
        }
        this.discardedBytes += found - pos;
        pos = found;
      }
      const length = sipFrameLength(data, pos, dataEnd);
      if (length < 0 || pos + length > dataEnd) {
        if (dataEnd - pos > MAX_PENDING_BYTES) {
          this.emit(direction.flow, data, pos, dataEnd, sliceChunks(chunks, pos - base, dataEnd - base), [malformed('tcp', `no end of message after ${dataEnd - pos} bytes; resynchronising on the next start line`)], false);
          return;
        }
        this.keep(direction, data, pos, dataEnd, chunks, base);
        return;
      }
      this.emit(direction.flow, data, pos, pos + length, sliceChunks(chunks, pos - base, pos + length - base), [], true);
      pos += length;
    }
  }

  private keep(direction: Direction<Flow>, data: Uint8Array, from: number, to: number, chunks: TimedChunk[], base: number): void {
    direction.pending = data.slice(from, to);
    direction.pendingChunks = sliceChunks(chunks, from - base, to - base);
  }

  private flush(direction: Direction<Flow>, reason: string): void {
    const pending = direction.pending;
    if (pending && pending.length > 0 && looksLikeSipStart(pending, 0, pending.length)) {
      this.emit(direction.flow, pending, 0, pending.length, direction.pendingChunks, [truncated('sip', `incomplete message: ${reason}`)], false);
    } else if (pending && pending.length > 0) {
      this.discardedBytes += pending.length;
    }
    direction.pending = undefined;
    direction.pendingChunks = [];
  }
}
