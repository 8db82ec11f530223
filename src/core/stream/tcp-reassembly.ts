import { TCP_FIN, TCP_RST, TCP_SYN } from '../layers/tcp.js';
import type { TimedChunk } from './chunks.js';
import type { StreamSink } from './stream-sink.js';

/** How much one direction may hold while it waits for missing bytes. */
export interface TcpReassemblyLimits {
  /** Out-of-order bytes buffered per direction before the first hole is declared a gap. */
  maxBufferedBytes: number;
  /** Out-of-order segments (pieces) buffered per direction before the first hole is declared a gap. */
  maxBufferedSegments: number;
  /**
   * A direction whose SYN was not captured has no known start: its first segments are held (up to these
   * bounds, or until FIN/RST/finish) and the stream starts at the lowest sequence number seen, so that a
   * capture whose first segments were written out of order still comes out in order.
   */
  maxUnanchoredBytes: number;
  maxUnanchoredSegments: number;
  /** Closed directions remembered (to recognise late retransmissions after FIN/RST); oldest forgotten first. */
  maxClosedDirections: number;
  /**
   * Out-of-order bytes buffered over all directions: beyond it, the direction that adds more declares its
   * first hole a gap (many lossy non-SIP flows must not exhaust memory either).
   */
  maxTotalBufferedBytes: number;
}

export const DEFAULT_TCP_REASSEMBLY_LIMITS: Readonly<TcpReassemblyLimits> = {
  maxBufferedBytes: 4 * 1024 * 1024,
  maxBufferedSegments: 1024,
  maxUnanchoredBytes: 64 * 1024,
  maxUnanchoredSegments: 32,
  maxClosedDirections: 65_536,
  maxTotalBufferedBytes: 64 * 1024 * 1024,
};

/** Reasons given to `StreamSink.close` (the SIP framer puts them in its "incomplete message" diagnostic). */
export const CLOSE_FIN = 'the TCP connection closed';
export const CLOSE_RST = 'the TCP connection was reset';
export const CLOSE_END = 'the capture ended';
export const CLOSE_REUSED = 'a new TCP connection reused the addresses';

/** A SYN this far (or less) before the first byte we started at is the late-captured SYN of the same connection. */
const LATE_SYN_WINDOW = 0x4000_0000;
/** Data this far from where a closed direction ended is a new connection whose SYN was not captured. */
const NEW_CONNECTION_DISTANCE = 1024 * 1024;

/** Bytes [pos, pos + data.length) of the stream, `data` a view into the caller's packet until `owned`. */
interface Piece {
  pos: number;
  data: Uint8Array;
  start: number;
  end: number;
  chunk: TimedChunk;
  owned: boolean;
}

interface Direction {
  sink: StreamSink;
  /**
   * Sequence numbers are unwrapped into positions (plain numbers, exact to 2^53) relative to a reference
   * that moves with the stream, so wrap-around (RFC 9293 §3.4) needs no special case anywhere else.
   */
  refSeq: number;
  refPos: number;
  /** The next byte to deliver is known (SYN seen, or the unanchored stream was started). */
  anchored: boolean;
  next: number;
  /** Where the stream started (ISN+1, or the lowest byte seen when the SYN was not captured). */
  startPos: number;
  /** Sequence number of the SYN, when captured (to tell a retransmitted SYN from a new connection). */
  synSeq: number | undefined;
  /** Buffered pieces beyond `next` (or, unanchored, everything so far), sorted and non-overlapping. */
  pending: Piece[];
  pendingBytes: number;
  /** Position of the FIN (the sequence number after the last data byte), once seen. */
  finPos: number | undefined;
  finFrame: number;
}

interface ClosedDirection {
  nextSeq: number;
  synSeq: number | undefined;
}

/**
 * TCP stream reassembly (RFC 9293 §3.4, §3.10.7.4): per direction (identified by a key string) puts
 * segments in sequence order and feeds the direction's `StreamSink`: bytes in order once, holes reported
 * as gaps, the end announced.
 *
 * - Retransmissions and overlaps: the first bytes seen for a sequence range win; later copies are counted
 *   and dropped (Wireshark's default, `tcp.reassemble_out_of_order` aside, makes the same choice).
 * - Out-of-order segments are copied and buffered (bounded per direction); when the bound is hit the first
 *   hole is declared a gap and the stream goes on from the lowest buffered byte.
 * - SYN anchors the stream at ISN+1. Without a captured SYN the first segments are held briefly and the
 *   stream starts at the lowest sequence number seen.
 * - FIN takes effect at its sequence position: the sink is closed once every byte before it was delivered
 *   (or at `finish`). RST closes at once: what is buffered is delivered, holes reported, and the sink closed.
 * - Each delivered `chunk` describes exactly the delivered bytes (trimmed overlaps move `fileOffset`).
 *
 * Payload bytes are only borrowed during `segment`: whatever must wait is copied.
 */
export class TcpReassembler<Flow> {
  private readonly limits: TcpReassemblyLimits;
  private readonly directions = new Map<string, Direction>();
  private readonly closed = new Map<string, ClosedDirection>();

  /** Segments that carried data. */
  segments = 0;
  /** Data segments all of whose bytes had been seen already (delivered or buffered). */
  retransmittedSegments = 0;
  /** Bytes dropped from partially overlapping segments because other copies of them were seen first. */
  overlapBytes = 0;
  /** Data segments that arrived ahead of a hole and had to be buffered. */
  outOfOrderSegments = 0;
  /** Holes in the streams (bytes never captured), and their total size. */
  gaps = 0;
  gapBytes = 0;
  /** Data segments that arrived after their direction was closed and carried bytes beyond its end (ignored). */
  lateSegments = 0;
  /** Directions (one per connection and direction) seen so far. */
  directionCount = 0;
  /** Bytes currently buffered, and the most ever buffered at once (all directions). */
  bufferedBytes = 0;
  maxBufferedBytesSeen = 0;

  constructor(
    private readonly createSink: (flow: Flow) => StreamSink,
    limits: Partial<TcpReassemblyLimits> = {},
  ) {
    this.limits = { ...DEFAULT_TCP_REASSEMBLY_LIMITS, ...limits };
  }

  /** Directions currently open. */
  get openDirections(): number {
    return this.directions.size;
  }

  /**
   * Feeds one segment of direction `key`. `flags` are the TCP flag bits (TCP_SYN, TCP_FIN, TCP_RST of
   * `layers/tcp.ts`); `payload[start, end)` its data; `chunk` where that data is in the capture.
   * `describeFlow` is called once, when the direction is first seen.
   */
  segment(key: string, describeFlow: () => Flow, seq: number, flags: number, payload: Uint8Array, start: number, end: number, chunk: TimedChunk): void {
    seq >>>= 0;
    if (end > payload.length) end = payload.length;
    if (start > end) start = end;
    const syn = (flags & TCP_SYN) !== 0;
    let direction = this.directions.get(key);
    if (!direction) {
      // A pure ACK (or a lone RST) of a direction not seen yet says nothing about its bytes.
      if (end <= start && (flags & (TCP_SYN | TCP_FIN)) === 0) return;
      const closed = this.closed.get(key);
      const reopened = closed !== undefined && (syn ? seq !== closed.synSeq : end > start && Math.abs(seqDiff(seq, closed.nextSeq)) > NEW_CONNECTION_DISTANCE);
      if (closed && !reopened) {
        // Late traffic of a closed direction: a retransmission, a repeated FIN/RST or SYN, or stray data.
        if (end > start) {
          this.segments++;
          if (seqDiff((seq + (syn ? 1 : 0) + (end - start)) >>> 0, closed.nextSeq) <= 0) this.retransmittedSegments++;
          else this.lateSegments++;
        }
        return;
      }
      if (closed) this.closed.delete(key);
      direction = this.open(key, describeFlow, seq);
    }

    if (syn) {
      if (direction.synSeq !== seq) {
        const isnPos = this.position(direction, seq);
        let reused: boolean;
        if (direction.synSeq !== undefined) reused = true; // another initial sequence number
        else if (direction.anchored) {
          // Started without a SYN: a SYN shortly before the first byte we started at is this connection's,
          // captured late; anything else opens a new connection on the same addresses and ports.
          const behind = direction.startPos - (isnPos + 1);
          reused = behind < 0 || behind > LATE_SYN_WINDOW;
        } else {
          // Bytes held from before ISN+1 cannot belong to this connection.
          reused = direction.pending.length > 0 && direction.pending[0].pos < isnPos + 1;
        }
        if (reused) {
          this.close(key, direction, CLOSE_REUSED);
          direction = this.open(key, describeFlow, seq);
        }
        if (!direction.anchored) {
          // RFC 9293 §3.4: the SYN takes one sequence number; data starts at ISN+1, at a message boundary.
          direction.anchored = true;
          direction.next = direction.startPos = this.position(direction, seq) + 1;
          this.drain(direction);
        }
        direction.synSeq = seq;
      }
      seq = (seq + 1) >>> 0;
    }

    const fin = (flags & TCP_FIN) !== 0;
    const rst = (flags & TCP_RST) !== 0;
    const pos = this.position(direction, seq);
    if (fin && direction.finPos === undefined) {
      direction.finPos = pos + (end - start);
      direction.finFrame = chunk.frame;
    }
    if (end > start) {
      this.segments++;
      this.add(direction, pos, payload, start, end, chunk);
    }
    if (rst) {
      this.close(key, direction, CLOSE_RST);
      return;
    }
    if (!direction.anchored) {
      const limits = this.limits;
      if (direction.finPos !== undefined || direction.pending.length >= limits.maxUnanchoredSegments || direction.pendingBytes >= limits.maxUnanchoredBytes) {
        this.start(direction);
      }
    }
    if (direction.anchored) {
      this.enforceBounds(direction);
      if (direction.finPos !== undefined && direction.next >= direction.finPos && direction.pending.length === 0) this.close(key, direction, CLOSE_FIN);
    }
  }

  /** End of the capture: every direction delivers what it holds, in sequence order, holes reported as gaps. */
  finish(): void {
    for (const [key, direction] of [...this.directions]) this.close(key, direction, CLOSE_END);
  }

  private open(key: string, describeFlow: () => Flow, seq: number): Direction {
    const direction: Direction = {
      sink: this.createSink(describeFlow()),
      refSeq: seq,
      refPos: 0,
      anchored: false,
      next: 0,
      startPos: 0,
      synSeq: undefined,
      pending: [],
      pendingBytes: 0,
      finPos: undefined,
      finFrame: 0,
    };
    this.directions.set(key, direction);
    this.directionCount++;
    return direction;
  }

  /** Unwraps a sequence number into a stream position near the direction's reference. */
  private position(direction: Direction, seq: number): number {
    return direction.refPos + seqDiff(seq, direction.refSeq);
  }

  /** Adds bytes [pos, pos + end - start): the parts not seen before are delivered or buffered. */
  private add(direction: Direction, pos: number, payload: Uint8Array, start: number, end: number, chunk: TimedChunk): void {
    const length = end - start;
    let from = pos;
    const to = pos + length;
    if (direction.anchored) {
      if (to <= direction.next) {
        this.retransmittedSegments++;
        return;
      }
      if (from < direction.next) {
        this.overlapBytes += direction.next - from;
        from = direction.next;
      }
      if (from === direction.next && direction.pending.length === 0) {
        // The common case: the next bytes, nothing waiting.
        this.deliver(direction, payload, start + (from - pos), end, sliceChunk(chunk, from - pos, to - from));
        return;
      }
    }
    // Cut the new bytes around the pieces already buffered: first-seen bytes win.
    const pending = direction.pending;
    const pieces: Piece[] = [];
    let cursor = from;
    let i = firstEndingAfter(pending, from);
    const insertAt: number[] = [];
    for (; i < pending.length && cursor < to; i++) {
      const piece = pending[i];
      if (piece.pos >= to) break;
      if (piece.pos > cursor) {
        pieces.push(this.piece(pos, cursor, piece.pos, payload, start, chunk));
        insertAt.push(i);
      }
      cursor = Math.max(cursor, piece.pos + (piece.end - piece.start));
    }
    if (cursor < to) {
      pieces.push(this.piece(pos, cursor, to, payload, start, chunk));
      insertAt.push(i);
    }
    let fresh = 0;
    for (const piece of pieces) fresh += piece.end - piece.start;
    if (fresh === 0) {
      this.retransmittedSegments++;
      return;
    }
    this.overlapBytes += to - from - fresh;
    for (let k = pieces.length - 1; k >= 0; k--) pending.splice(insertAt[k], 0, pieces[k]);
    direction.pendingBytes += fresh;
    this.buffered(fresh);
    if (direction.anchored) {
      if (pending[0].pos > direction.next) this.outOfOrderSegments++;
      this.drain(direction);
    }
    // What still waits must outlive the caller's packet buffer.
    for (const piece of pieces) {
      if (!piece.owned) {
        piece.data = piece.data.slice(piece.start, piece.end);
        piece.end -= piece.start;
        piece.start = 0;
        piece.owned = true;
      }
    }
  }

  private piece(segmentPos: number, from: number, to: number, payload: Uint8Array, start: number, chunk: TimedChunk): Piece {
    const offset = from - segmentPos;
    return { pos: from, data: payload, start: start + offset, end: start + offset + (to - from), chunk: sliceChunk(chunk, offset, to - from), owned: false };
  }

  /** Delivers every buffered piece that continues the stream. */
  private drain(direction: Direction): void {
    const pending = direction.pending;
    let taken = 0;
    while (taken < pending.length && pending[taken].pos <= direction.next) {
      const piece = pending[taken++];
      direction.pendingBytes -= piece.end - piece.start;
      this.buffered(-(piece.end - piece.start));
      // Pieces never overlap delivered bytes (they were cut against `next` when added), so pos === next.
      this.deliver(direction, piece.data, piece.start, piece.end, piece.chunk);
      piece.owned = true; // delivered: nothing to copy
    }
    if (taken > 0) pending.splice(0, taken);
  }

  private deliver(direction: Direction, data: Uint8Array, start: number, end: number, chunk: TimedChunk): void {
    direction.next += end - start;
    // Move the unwrapping reference along so that positions stay within 2^31 of it however long the stream.
    direction.refSeq = (direction.refSeq + (direction.next - direction.refPos)) >>> 0;
    direction.refPos = direction.next;
    direction.sink.data(data, start, end, chunk);
  }

  /** Starts a stream whose SYN was not seen at its lowest buffered byte. */
  private start(direction: Direction): void {
    direction.anchored = true;
    direction.next = direction.startPos = direction.pending.length > 0 ? direction.pending[0].pos : direction.finPos ?? 0;
    this.drain(direction);
  }

  /** Out-of-order buffer full: the first hole will not be filled; report it and go on after it. */
  private enforceBounds(direction: Direction): void {
    const limits = this.limits;
    while (
      direction.pending.length > 0 &&
      (direction.pendingBytes > limits.maxBufferedBytes || direction.pending.length > limits.maxBufferedSegments || this.bufferedBytes > limits.maxTotalBufferedBytes)
    ) {
      this.skipHole(direction);
    }
  }

  private skipHole(direction: Direction): void {
    const first = direction.pending[0];
    const missing = first.pos - direction.next;
    this.gaps++;
    this.gapBytes += missing;
    direction.next = first.pos;
    direction.sink.gap(missing, first.chunk.frame);
    this.drain(direction);
  }

  /** Delivers everything buffered in order (holes become gaps) and closes the sink. */
  private close(key: string, direction: Direction, reason: string): void {
    if (!direction.anchored) this.start(direction);
    while (direction.pending.length > 0) this.skipHole(direction);
    const finPos = direction.finPos;
    if (finPos !== undefined && finPos > direction.next && reason !== CLOSE_RST) {
      // Bytes before the FIN that never came.
      const missing = finPos - direction.next;
      this.gaps++;
      this.gapBytes += missing;
      direction.sink.gap(missing, direction.finFrame);
      direction.next = finPos;
    }
    direction.sink.close(finPos !== undefined && direction.next >= finPos && reason === CLOSE_END ? CLOSE_FIN : reason);
    this.directions.delete(key);
    const nextSeq = (direction.refSeq + (direction.next - direction.refPos)) >>> 0;
    this.closed.set(key, { nextSeq, synSeq: direction.synSeq });
    if (this.closed.size > this.limits.maxClosedDirections) {
      const oldest = this.closed.keys().next();
      if (!oldest.done) this.closed.delete(oldest.value);
    }
  }

  private buffered(delta: number): void {
    this.bufferedBytes += delta;
    if (this.bufferedBytes > this.maxBufferedBytesSeen) this.maxBufferedBytesSeen = this.bufferedBytes;
  }
}

/** Sequence-space difference a - b modulo 2^32, in [-2^31, 2^31) (RFC 9293 §3.4). */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** The chunk describing `length` bytes starting `skip` bytes into the payload that `chunk` describes. */
function sliceChunk(chunk: TimedChunk, skip: number, length: number): TimedChunk {
  if (skip === 0 && length === chunk.length) return chunk;
  return { ...chunk, fileOffset: chunk.fileOffset + skip, length };
}

/** Index of the first piece that ends after `pos` (pieces are sorted and do not overlap). */
function firstEndingAfter(pending: readonly Piece[], pos: number): number {
  let lo = 0;
  let hi = pending.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const piece = pending[mid];
    if (piece.pos + (piece.end - piece.start) <= pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
