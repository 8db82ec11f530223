import type { TimedChunk } from './chunks.js';
import { sliceChunks } from './chunks.js';
import type { StreamOutputs, StreamSink } from './stream-sink.js';

/**
 * The plumbing shared by the sinks that cut a byte stream into self-delimiting units (WebSocket frames,
 * TLS records, HEP packets): a unit header may arrive split over any number of `data` calls, while the
 * bulk of a unit (a payload) is best consumed as it comes, without being buffered.
 *
 * A subclass is in one of two kinds of state at any moment:
 *  - streaming (`streamLength() > 0`): the next bytes belong to the current unit and are handed over as
 *    they arrive (`stream`), each piece with the exact capture chunk it came from;
 *  - look-ahead (`streamLength() === 0`): `unit` is asked to consume a whole unit (or a header) from
 *    contiguous bytes. When it needs more, the bytes are held (copied: the caller's buffer is only valid
 *    during the call) and `unit` is asked again when more arrive; whatever follows the unit in the held
 *    bytes is then fed again, piece by piece, so that chunks stay exact.
 */
export interface Piece {
  bytes: Uint8Array;
  start: number;
  end: number;
  /** Covers exactly bytes [start, end). */
  chunk: TimedChunk;
}

/** Bytes kept across `data` calls, with the capture chunks they came from (grows geometrically). */
export class HeldBytes {
  bytes = new Uint8Array(0);
  length = 0;
  chunks: TimedChunk[] = [];

  append(src: Uint8Array, start: number, end: number, chunk: TimedChunk): void {
    const n = end - start;
    if (n <= 0) return;
    if (this.length + n > this.bytes.length) {
      const grown = new Uint8Array(Math.max(256, this.bytes.length * 2, this.length + n));
      grown.set(this.bytes.subarray(0, this.length), 0);
      this.bytes = grown;
    }
    this.bytes.set(src.subarray(start, end), this.length);
    this.length += n;
    pushChunk(this.chunks, chunk);
  }

  /** Returns the held bytes from `from` on, as pieces (a copy, one piece per chunk), and empties the buffer. */
  takeFrom(from: number): Piece[] {
    const pieces: Piece[] = [];
    if (from < this.length) {
      const copy = this.bytes.slice(from, this.length);
      let at = 0;
      for (const chunk of sliceChunks(this.chunks, from, this.length)) {
        pieces.push({ bytes: copy, start: at, end: at + chunk.length, chunk });
        at += chunk.length;
      }
    }
    this.clear();
    return pieces;
  }

  clear(): void {
    this.length = 0;
    this.chunks = [];
    // Do not keep a large buffer alive for a stream that is quiet now.
    if (this.bytes.length > 64 * 1024) this.bytes = new Uint8Array(0);
  }
}

/** Appends `chunk` to `list`, merging it with the last entry when it continues it in the same frame. */
export function pushChunk(list: TimedChunk[], chunk: TimedChunk): void {
  if (chunk.length <= 0) return;
  const last = list[list.length - 1];
  if (last && last.frame === chunk.frame && last.fileOffset + last.length === chunk.fileOffset) {
    list[list.length - 1] = { ...last, length: last.length + chunk.length };
  } else {
    list.push({ ...chunk });
  }
}

/** The part of `chunk` (which covers bytes [chunkStart, ...)) that covers bytes [from, to). */
export function subChunk(chunk: TimedChunk, chunkStart: number, from: number, to: number): TimedChunk {
  return { ...chunk, fileOffset: chunk.fileOffset + (from - chunkStart), length: to - from };
}

/** Marker returned by `unit` when it cannot decide before more bytes arrive. */
export const NEED_MORE = -1;

/** Does a unit start at `p` of [p, end)? `more` when the bytes are too short to tell. */
export type UnitJudge = (bytes: Uint8Array, p: number, end: number) => 'yes' | 'no' | 'more';

export abstract class UnitStreamSink<Flow> implements StreamSink {
  protected readonly held = new HeldBytes();
  /** The subclass's counters; `resync` counts the bytes it skips in `discardedBytes`. */
  abstract readonly stats: { discardedBytes: number };
  /** Stream bytes received, and the first and last frames they came in (for reports). */
  protected bytesSeen = 0;
  protected firstFrame = 0;
  protected lastFrame = 0;
  /** Times the state machine made no progress and dropped bytes (a decoder bug; tests assert 0). */
  stalls = 0;

  /** Bytes the current state takes as they come (0: a look-ahead state, see `unit`). */
  protected abstract streamLength(): number;
  /** Takes bytes [start, end) of the current unit (at most `streamLength()` bytes); `chunk` covers exactly them. */
  protected abstract stream(bytes: Uint8Array, start: number, end: number, chunk: TimedChunk): void;
  /**
   * Consumes what it can at `pos` of the contiguous bytes [pos, end), whose capture chunks are `chunks`
   * (the first one starts at buffer offset `base`). Returns the bytes consumed (0 is allowed when the state
   * changed) or NEED_MORE. Must not keep `bytes` beyond the call.
   */
  protected abstract unit(bytes: Uint8Array, pos: number, end: number, chunks: TimedChunk[], base: number): number;

  constructor(
    protected readonly flow: Flow,
    protected readonly outputs: StreamOutputs<Flow>,
  ) {}

  data(payload: Uint8Array, start: number, end: number, chunk: TimedChunk): void {
    if (end <= start) return;
    if (this.bytesSeen === 0) this.firstFrame = chunk.frame;
    this.bytesSeen += end - start;
    this.lastFrame = chunk.frame;
    const queue: Piece[] = [{ bytes: payload, start, end, chunk }];
    // Pieces fed again after a held unit completed go to the front; the queue is short (a few chunks).
    while (queue.length > 0) {
      const piece = queue.shift() as Piece;
      const again = this.feed(piece);
      if (again.length > 0) queue.unshift(...again);
    }
  }

  abstract gap(missing: number, frame: number): void;
  abstract close(reason: string): void;

  private feed(piece: Piece): Piece[] {
    const { bytes, end, chunk } = piece;
    let pos = piece.start;
    let idle = 0;
    while (pos < end) {
      const direct = this.streamLength();
      if (direct > 0) {
        const n = Math.min(direct, end - pos);
        this.stream(bytes, pos, pos + n, subChunk(chunk, piece.start, pos, pos + n));
        pos += n;
        continue;
      }
      if (this.held.length === 0) {
        const rest = subChunk(chunk, piece.start, pos, end);
        const used = this.unit(bytes, pos, end, [rest], pos);
        if (used === NEED_MORE) {
          this.held.append(bytes, pos, end, rest);
          return [];
        }
        if (used === 0 && ++idle > 8) return this.stall();
        if (used > 0) idle = 0;
        pos += used;
        continue;
      }
      this.held.append(bytes, pos, end, subChunk(chunk, piece.start, pos, end));
      return this.drainHeld();
    }
    return [];
  }

  /** Runs `unit` on the held bytes; returns what follows the consumed bytes, to be fed again. */
  private drainHeld(): Piece[] {
    let idle = 0;
    for (;;) {
      if (this.streamLength() > 0 || this.held.length === 0) break;
      const used = this.unit(this.held.bytes, 0, this.held.length, this.held.chunks, 0);
      if (used === NEED_MORE) return [];
      if (used > 0) return this.held.takeFrom(used);
      if (++idle > 8) {
        this.held.clear();
        return this.stall();
      }
    }
    return this.held.takeFrom(0);
  }

  /**
   * The look-ahead step of a resync state (stream picked up mid-way, after a gap or a bad header): skips
   * (and counts in `stats.discardedBytes`) the bytes before the first place `judge` does not rule out. When
   * a unit surely starts there, `found` is called (the subclass leaves its resync state) and the skipped
   * bytes are consumed; when `judge` needs more bytes to tell, they are waited for. Returns what `unit` does.
   */
  protected resync(bytes: Uint8Array, pos: number, end: number, judge: UnitJudge, found: () => void): number {
    for (let p = pos; p < end; p++) {
      const judged = judge(bytes, p, end);
      if (judged === 'no') continue;
      this.stats.discardedBytes += p - pos;
      if (judged === 'yes') {
        found();
        return p - pos;
      }
      return p > pos ? p - pos : NEED_MORE;
    }
    this.stats.discardedBytes += end - pos;
    return end - pos;
  }

  /** Hands the stream's summary to `outputs.report`, with the first and last frames its bytes came in. */
  protected report(protocol: string, records: number, bytes: number, message: string): void {
    this.outputs.report(this.flow, { protocol, records, bytes, firstFrame: this.firstFrame, lastFrame: this.lastFrame, message });
  }

  /** A state that neither consumes bytes nor changes would loop forever (a decoder bug): drop the piece. */
  private stall(): Piece[] {
    this.stalls++;
    return [];
  }
}
