import { malformed, note, truncated, type Diagnostic } from '../diagnostics.js';
import type { TimedChunk } from '../stream/chunks.js';

/**
 * IP fragment reassembly (IPv4: RFC 791 §3.2 and RFC 815; IPv6: RFC 8200 §4.5 and RFC 5722), as a pure table
 * the engine feeds one fragment at a time. The decoders stop at every fragment (see `ipv4.ts`/`ipv6.ts`);
 * the engine builds the datagram key (version, addresses, identification, protocol) and hands the fragment
 * data here. When a datagram is whole it is emitted at once; a datagram that cannot be finished (timeout,
 * table full, buffer full, end of capture) is emitted too, flagged incomplete, so that nothing is dropped
 * silently: an analyser must show what the capture holds, including what a host would have thrown away.
 *
 * Unlike a host stack we keep malformed datagrams (overlaps, bytes beyond the end, oversize) and say what
 * is wrong in diagnostics rather than discarding them. Overlapping bytes: the first-received copy wins
 * (Linux since 4.19 drops any datagram with overlaps; Wireshark lays fragments out by offset, so the lower
 * fragment's bytes win there: the diagnostic says which frames disagree, whoever is right).
 *
 * Work is linear in the bytes of a datagram: each fragment's new bytes are copied once on arrival and once
 * more into the emitted payload. Fragments are kept as non-overlapping pieces sorted by offset and placed
 * by binary search; only the piece references move (8125 eight-byte fragments in reverse order: ~15 ms).
 */

export interface IpFragmentOptions {
  /** Datagrams waiting for fragments at once; the oldest is reported incomplete beyond this. Default 4096. */
  maxDatagrams?: number;
  /**
   * Memory held across all datagrams; the oldest datagrams are reported incomplete beyond this. Counts each
   * held run of bytes plus a fixed cost for its bookkeeping (as the kernel charges an skb's truesize), so
   * that floods of tiny fragments are bounded too. Default 32 MiB.
   */
  maxBufferedBytes?: number;
  /**
   * Seconds of capture time a datagram may wait after its first fragment, like Linux `ipfrag_time` (30 s) and
   * RFC 8200 §4.5 (60 s for IPv6 reassembly). Default 30.
   */
  timeoutSec?: number;
}

export type IpVersion = 4 | 6;

/** Why an incomplete datagram left the table. */
export type FragmentEviction = 'timeout' | 'table-full' | 'buffer-full' | 'end-of-capture' | 'snap-length';

export interface ReassembledDatagram<Context> {
  key: string;
  version: IpVersion;
  /** Given with the fragment at offset 0; undefined when that fragment was never captured. */
  context: Context | undefined;
  /** Bytes from datagram offset 0 up to the first hole: the whole datagram when `complete`. */
  payload: Uint8Array;
  /** Describe `payload` in order: which frame, file offset and time each run of bytes came from. */
  chunks: TimedChunk[];
  complete: boolean;
  /** Length of the datagram's data as the last fragment (MF=0) set it; undefined when it was never captured. */
  totalLength: number | undefined;
  /**
   * Set on incomplete datagrams: why the table let them go. `snap-length`: every fragment was seen but the
   * capture cut some short, so the datagram can never be whole; it is emitted as soon as that is known.
   */
  evicted: FragmentEviction | undefined;
  /** Every fragment's frame, in arrival order (a duplicate fragment's frame too; one frame listed once). */
  frames: number[];
  /** Overlaps, duplicates, missing ranges, eviction reason, oversize, inconsistent last fragment... */
  diagnostics: Diagnostic[];
}

export interface IpFragmentStats {
  /** Fragments given to `add`. */
  fragments: number;
  /** Datagrams emitted complete. */
  reassembled: number;
  /** Datagrams emitted incomplete (all eviction reasons, end of capture included). */
  incomplete: number;
  /** Fragments whose bytes had all been received already, with the same content. */
  duplicates: number;
  /** Fragments that overlapped bytes received earlier (exact duplicates not counted). */
  overlaps: number;
  /** Of those, fragments whose overlapped bytes differ from the first copy. */
  conflictingOverlaps: number;
  evictedTimeout: number;
  evictedTableFull: number;
  evictedBufferFull: number;
  /** Fragment data bytes currently held, and the most ever held at once (bookkeeping not included). */
  bufferedBytes: number;
  peakBufferedBytes: number;
}

/** A run of datagram bytes [offset, end) kept from one fragment (the part no earlier fragment supplied). */
interface Piece {
  offset: number;
  end: number;
  bytes: Uint8Array;
  chunk: TimedChunk;
}

interface Pending<Context> {
  key: string;
  version: IpVersion;
  context: Context | undefined;
  haveFirst: boolean;
  /** Capture time of the first fragment seen: the reassembly timer starts there (RFC 791 §3.2, RFC 8200 §4.5). */
  firstSec: number;
  /** Sorted by offset, non-overlapping. */
  pieces: Piece[];
  /** Bytes held in `pieces`. */
  covered: number;
  /** From the last fragment (MF=0). */
  total: number | undefined;
  lastFrame: number;
  frames: number[];
  diagnostics: Diagnostic[];
  /** Diagnostics beyond MAX_DIAGNOSTICS, counted only (a flood of duplicates must not grow memory). */
  unlisted: number;
  /** Bookkeeping charged against `maxBufferedBytes` besides the data bytes (pieces, frames, diagnostics). */
  overhead: number;
  oversize: boolean;
  /** Datagram ranges [from, to) that fragments carried on the wire but the capture cut (snap length). */
  cut: Array<[number, number]> | undefined;
}

const DEFAULT_MAX_DATAGRAMS = 4096;
const DEFAULT_MAX_BUFFERED_BYTES = 32 * 1024 * 1024;
const DEFAULT_TIMEOUT_SEC = 30;
/** Missing ranges listed one by one on an incomplete datagram; the rest are summed up in one line. */
const MAX_LISTED_HOLES = 8;
/** Fragment diagnostics (overlaps, duplicates, malformed) kept per datagram; the rest are counted. */
const MAX_DIAGNOSTICS = 32;
/** Approximate bytes of bookkeeping per held piece, frame number and diagnostic (objects, array slots). */
const PIECE_COST = 96;
const FRAME_COST = 8;
const DIAGNOSTIC_COST = 160;

/**
 * Largest data a reassembled datagram may carry: IPv4 total length is 16 bits and counts a header of at
 * least 20 bytes (RFC 791 §3.1); IPv6 payload length is 16 bits (RFC 8200 §4.5: "exceeds 65,535 octets").
 */
const MAX_DATA: Record<IpVersion, number> = { 4: 65535 - 20, 6: 65535 };
const SPEC: Record<IpVersion, string> = { 4: 'RFC 791 §3.2', 6: 'RFC 8200 §4.5' };

function layerOf(version: IpVersion): string {
  return version === 4 ? 'ipv4' : 'ipv6';
}

/** "bytes 1480–2959": inclusive, as a user reads a range. */
function range(from: number, to: number): string {
  return to - from === 1 ? `byte ${from}` : `bytes ${from}–${to - 1}`;
}

function frameList(frames: number[]): string {
  return frames.length === 1 ? `frame ${frames[0]}` : `frames ${frames.join(', ')}`;
}

/** Index of the first piece ending after `from` (pieces do not overlap, so their ends are sorted too). */
function firstEndingAfter(pieces: Piece[], from: number): number {
  let lo = 0;
  let hi = pieces.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pieces[mid].end <= from) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class IpFragmentTable<Context> {
  /** Insertion order is the order datagrams were first seen: the head is the oldest. */
  private readonly table = new Map<string, Pending<Context>>();
  private readonly maxDatagrams: number;
  private readonly maxBufferedBytes: number;
  private readonly timeoutSec: number;
  /** Sum of the datagrams' `overhead`. */
  private overhead = 0;
  readonly stats: IpFragmentStats = {
    fragments: 0,
    reassembled: 0,
    incomplete: 0,
    duplicates: 0,
    overlaps: 0,
    conflictingOverlaps: 0,
    evictedTimeout: 0,
    evictedTableFull: 0,
    evictedBufferFull: 0,
    bufferedBytes: 0,
    peakBufferedBytes: 0,
  };

  constructor(
    private readonly emit: (datagram: ReassembledDatagram<Context>) => void,
    options: IpFragmentOptions = {},
  ) {
    this.maxDatagrams = Math.max(1, options.maxDatagrams ?? DEFAULT_MAX_DATAGRAMS);
    this.maxBufferedBytes = Math.max(0, options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES);
    this.timeoutSec = options.timeoutSec ?? DEFAULT_TIMEOUT_SEC;
  }

  /** Datagrams waiting for fragments. */
  get pending(): number {
    return this.table.size;
  }

  /**
   * One fragment of datagram `key`. `offsetBytes` = fragment offset × 8; `more` = the MF / M flag;
   * `payload[start, end)` is its data (copied: the caller may reuse the buffer); `chunk` says where that
   * data is in the capture (`chunk.length === end - start`); `context` is what the engine knows about the
   * packet, kept from the offset-0 fragment; `nowSec` is the capture time, for timeouts. `wireLength`: the
   * fragment's data length as its IP header gives it, when the capture cut the packet (snap length) so that
   * fewer bytes than that are in `payload[start, end)`; it fixes the datagram's length when this is the last
   * fragment, and the cut bytes are reported missing (truncated) instead of the fragment looking malformed.
   * Calls `emit` synchronously when the datagram becomes complete, and for every datagram it evicts.
   * Re-entrant: `emit` may call `add` again (a fragmented packet inside a reassembled tunnel).
   */
  add(
    key: string,
    version: IpVersion,
    offsetBytes: number,
    more: boolean,
    payload: Uint8Array,
    start: number,
    end: number,
    chunk: TimedChunk,
    context: Context | undefined,
    nowSec: number,
    wireLength?: number,
  ): void {
    this.stats.fragments++;
    this.expire(nowSec);
    // Defensive clamps: the decoders give in-bounds offsets, but a bad range must not throw here.
    end = Math.max(0, Math.min(end, payload.length));
    start = Math.max(0, Math.min(start, end));

    let d = this.table.get(key);
    if (!d) {
      while (this.table.size >= this.maxDatagrams) this.evictOldest('table-full');
      d = {
        key,
        version,
        context: undefined,
        haveFirst: false,
        firstSec: nowSec,
        pieces: [],
        covered: 0,
        total: undefined,
        lastFrame: 0,
        frames: [],
        diagnostics: [],
        unlisted: 0,
        overhead: 0,
        oversize: false,
        cut: undefined,
      };
      this.table.set(key, d);
    }
    // The engine feeds frames in capture order, so a frame repeated (several fragments in one frame) is the last one.
    if (d.frames[d.frames.length - 1] !== chunk.frame) {
      d.frames.push(chunk.frame);
      this.charge(d, FRAME_COST);
    }
    if (offsetBytes === 0 && !d.haveFirst) {
      d.haveFirst = true;
      d.context = context;
    }

    const layer = layerOf(version);
    const captured = end - start;
    const length = Math.max(captured, wireLength ?? captured);
    let fragmentEnd = offsetBytes + length;
    if (length > captured) (d.cut ??= []).push([offsetBytes + captured, fragmentEnd]);
    if (more && length % 8 !== 0) {
      // RFC 791 §3.2 / RFC 8200 §4.5: every fragment but the last carries a multiple of 8 octets.
      this.diagnose(d, malformed(layer, `fragment in frame ${chunk.frame} carries ${length} bytes with more fragments to follow: not a multiple of 8 (${SPEC[version]})`));
    }
    if (fragmentEnd > MAX_DATA[version] && !d.oversize) {
      d.oversize = true;
      this.diagnose(d, malformed(layer, `fragment in frame ${chunk.frame} reaches byte ${fragmentEnd - 1}: the reassembled datagram exceeds the 65535-byte maximum (${SPEC[version]})`));
    }

    let beyondReported = false;
    if (!more) {
      if (d.total === undefined) {
        d.total = fragmentEnd;
        d.lastFrame = chunk.frame;
        this.trimBeyond(d, layer);
      } else if (fragmentEnd !== d.total) {
        beyondReported = true;
        this.diagnose(d, malformed(layer, `inconsistent last fragments: frame ${chunk.frame} ends the datagram at ${fragmentEnd} bytes, frame ${d.lastFrame} at ${d.total}; the first one is kept`));
      }
    }
    if (d.total !== undefined && fragmentEnd > d.total) {
      // Linux drops the whole datagram here (ip_frag_queue "end > qp->q.len"); we keep what lies within it.
      if (!beyondReported) {
        this.diagnose(d, malformed(layer, `fragment in frame ${chunk.frame} has ${range(Math.max(offsetBytes, d.total), fragmentEnd)}, beyond the end of the datagram (${d.total} bytes) set by the last fragment in frame ${d.lastFrame}; they are left out`));
      }
      fragmentEnd = d.total;
    }

    const storedEnd = Math.min(fragmentEnd, offsetBytes + captured);
    if (storedEnd > offsetBytes) this.insert(d, layer, offsetBytes, storedEnd, payload, start, chunk);

    if (d.total !== undefined && d.covered === d.total) {
      this.release(d);
      this.stats.reassembled++;
      this.emit(this.build(d, true, undefined));
      return;
    }
    if (d.cut && d.total !== undefined && this.onlyCutMissing(d)) {
      // Nothing more can arrive that would complete it: report it now, in capture order, not at a timeout.
      this.evict(d, 'snap-length');
      return;
    }
    while (this.stats.bufferedBytes + this.overhead > this.maxBufferedBytes && this.table.size > 0) this.evictOldest('buffer-full');
  }

  /**
   * Reports (incomplete) every datagram whose first fragment is more than `timeoutSec` older than `nowSec`.
   * `add` calls it; the engine may also call it for every packet so that a datagram times out in capture
   * order even when no other fragment follows. Looks only at the oldest datagrams (insertion order), so it
   * costs O(1) when nothing expires; capture times that go backwards only delay an expiry.
   */
  expire(nowSec: number): void {
    for (;;) {
      const oldest = this.oldest();
      if (!oldest || !(nowSec - oldest.firstSec > this.timeoutSec)) return;
      this.evict(oldest, 'timeout');
    }
  }

  /** End of the capture: every datagram still waiting is emitted incomplete — nothing is dropped silently. */
  finish(): void {
    for (;;) {
      const oldest = this.oldest();
      if (!oldest) return;
      this.evict(oldest, 'end-of-capture');
    }
  }

  private oldest(): Pending<Context> | undefined {
    // A fresh iterator each time: `emit` may add or remove datagrams in between.
    return this.table.values().next().value;
  }

  private evictOldest(reason: FragmentEviction): void {
    const oldest = this.oldest();
    if (oldest) this.evict(oldest, reason);
  }

  private evict(d: Pending<Context>, reason: FragmentEviction): void {
    this.release(d);
    this.stats.incomplete++;
    if (reason === 'timeout') this.stats.evictedTimeout++;
    else if (reason === 'table-full') this.stats.evictedTableFull++;
    else if (reason === 'buffer-full') this.stats.evictedBufferFull++;
    this.emit(this.build(d, false, reason));
  }

  /** Takes `d` out of the table (before `emit`, which may re-enter). */
  private release(d: Pending<Context>): void {
    this.table.delete(d.key);
    this.stats.bufferedBytes -= d.covered;
    this.overhead -= d.overhead;
  }

  private charge(d: Pending<Context>, bytes: number): void {
    d.overhead += bytes;
    this.overhead += bytes;
  }

  private diagnose(d: Pending<Context>, diagnostic: Diagnostic): void {
    if (d.diagnostics.length >= MAX_DIAGNOSTICS) {
      d.unlisted++;
      return;
    }
    d.diagnostics.push(diagnostic);
    this.charge(d, DIAGNOSTIC_COST);
  }

  /**
   * Adds datagram bytes [from, to) (data `payload[start...]`) to `d`: bytes no earlier fragment supplied
   * become new pieces; bytes already held stay as first received (hosts disagree on which copy wins, so
   * whatever we choose the overlap must be reported: as a duplicate, an identical or a conflicting overlap).
   */
  private insert(d: Pending<Context>, layer: string, from: number, to: number, payload: Uint8Array, start: number, chunk: TimedChunk): void {
    const pieces = d.pieces;
    const first = firstEndingAfter(pieces, from);
    let j = first;
    let pos = from;
    let added = 0;
    let overlapped = 0;
    let differing = 0;
    let overlapStart = -1;
    let overlapEnd = -1;
    const overlappedFrames: number[] = [];
    const merged: Piece[] = [];
    let created = 0;
    const piece = (a: number, b: number): Piece => {
      added += b - a;
      created++;
      return {
        offset: a,
        end: b,
        bytes: payload.slice(start + (a - from), start + (b - from)),
        chunk: { ...chunk, fileOffset: chunk.fileOffset + (a - from), length: b - a },
      };
    };
    for (; j < pieces.length && pieces[j].offset < to; j++) {
      const p = pieces[j];
      if (p.offset > pos) merged.push(piece(pos, p.offset));
      const a = Math.max(pos, p.offset);
      const b = Math.min(to, p.end);
      for (let k = a; k < b; k++) if (payload[start + (k - from)] !== p.bytes[k - p.offset]) differing++;
      overlapped += b - a;
      if (overlapStart < 0) overlapStart = a;
      overlapEnd = b;
      if (overlappedFrames[overlappedFrames.length - 1] !== p.chunk.frame && !overlappedFrames.includes(p.chunk.frame)) overlappedFrames.push(p.chunk.frame);
      merged.push(p);
      pos = Math.max(pos, p.end);
    }
    if (pos < to) merged.push(piece(pos, to));
    if (added > 0) {
      pieces.splice(first, j - first, ...merged);
      d.covered += added;
      this.charge(d, created * PIECE_COST);
      this.stats.bufferedBytes += added;
      if (this.stats.bufferedBytes > this.stats.peakBufferedBytes) this.stats.peakBufferedBytes = this.stats.bufferedBytes;
    }
    if (overlapped === 0) return;

    const where = `${range(overlapStart, overlapEnd)}${overlapped < overlapEnd - overlapStart ? ` (${overlapped} bytes)` : ''}`;
    const earlier = frameList(overlappedFrames);
    if (differing > 0) {
      this.stats.conflictingOverlaps++;
      this.stats.overlaps++;
      // Hosts disagree on which copy wins (the classic IDS-evasion ambiguity), and RFC 5722 makes IPv6
      // receivers drop the datagram: either way what the endpoint saw is uncertain.
      const v6 = d.version === 6 ? '; an RFC 5722 receiver discards the whole datagram' : '';
      this.diagnose(d, malformed(layer, `fragment in frame ${chunk.frame} overlaps ${where} received in ${earlier} with different content (${differing} bytes differ); the first-received bytes are kept${v6}`));
    } else if (added === 0 && this.exactDuplicate(d, from, to)) {
      // RFC 5722 §4 lets a receiver drop exact duplicates (the network may duplicate packets) and keep the rest.
      this.stats.duplicates++;
      this.diagnose(d, note(layer, `duplicate fragment in frame ${chunk.frame}: ${range(from, to)} were already received in ${earlier}`));
    } else {
      this.stats.overlaps++;
      const v6 = d.version === 6 ? '; an RFC 5722 receiver discards the whole datagram' : '';
      this.diagnose(d, note(layer, `fragment in frame ${chunk.frame} overlaps ${where} received in ${earlier}, with identical content${v6}`));
    }
  }

  /**
   * True when [from, to) is exactly the span of earlier fragments (same boundaries): a resent fragment.
   * Pieces keep one fragment's new bytes each, so boundaries match at the ends of the span.
   */
  private exactDuplicate(d: Pending<Context>, from: number, to: number): boolean {
    const pieces = d.pieces;
    let startsAtPiece = false;
    let endsAtPiece = false;
    for (let i = firstEndingAfter(pieces, from); i < pieces.length && pieces[i].offset < to; i++) {
      if (pieces[i].offset === from) startsAtPiece = true;
      if (pieces[i].end === to) endsAtPiece = true;
    }
    return startsAtPiece && endsAtPiece;
  }

  /** True when every byte of the datagram missing from `d.pieces` lies in a range the capture cut. */
  private onlyCutMissing(d: Pending<Context>): boolean {
    const cut = [...(d.cut ?? [])].sort((x, y) => x[0] - y[0]);
    const covered = (from: number, to: number): boolean => {
      let at = from;
      for (const [a, b] of cut) {
        if (b <= at) continue;
        if (a > at) break;
        at = b;
        if (at >= to) return true;
      }
      return at >= to;
    };
    let pos = 0;
    for (const p of d.pieces) {
      if (p.offset > pos && !covered(pos, p.offset)) return false;
      pos = p.end;
    }
    return pos >= (d.total ?? 0) || covered(pos, d.total ?? 0);
  }

  /** The last fragment set the datagram's end: bytes earlier fragments put beyond it are malformed. */
  private trimBeyond(d: Pending<Context>, layer: string): void {
    const total = d.total ?? 0;
    const pieces = d.pieces;
    const last = pieces[pieces.length - 1];
    if (!last || last.end <= total) return;
    const frames: number[] = [];
    const highest = last.end;
    while (pieces.length > 0 && pieces[pieces.length - 1].end > total) {
      const p = pieces[pieces.length - 1];
      if (!frames.includes(p.chunk.frame)) frames.unshift(p.chunk.frame);
      const keep = Math.max(0, total - p.offset);
      const dropped = p.end - p.offset - keep;
      d.covered -= dropped;
      this.stats.bufferedBytes -= dropped;
      if (keep === 0) {
        pieces.pop();
        this.charge(d, -PIECE_COST);
      } else {
        p.end = total;
        p.bytes = p.bytes.subarray(0, keep);
        p.chunk = { ...p.chunk, length: keep };
        break;
      }
    }
    this.diagnose(d, malformed(layer, `${frameList(frames)} carried ${range(total, highest)}, beyond the end of the datagram (${total} bytes) set by the last fragment in frame ${d.lastFrame}; they are left out`));
  }

  private build(d: Pending<Context>, complete: boolean, reason: FragmentEviction | undefined): ReassembledDatagram<Context> {
    const pieces = d.pieces;
    let prefix = 0;
    let count = 0;
    while (count < pieces.length && pieces[count].offset === prefix) prefix = pieces[count++].end;
    const payload = new Uint8Array(prefix);
    const chunks: TimedChunk[] = [];
    for (let i = 0; i < count; i++) {
      payload.set(pieces[i].bytes, pieces[i].offset);
      chunks.push(pieces[i].chunk);
    }
    const diagnostics = d.diagnostics;
    if (d.unlisted > 0) diagnostics.push(note(layerOf(d.version), `${d.unlisted} more fragment diagnostic(s) not listed`));
    if (!complete) this.describeIncomplete(d, reason, diagnostics);
    return {
      key: d.key,
      version: d.version,
      context: d.context,
      payload,
      chunks,
      complete,
      totalLength: d.total,
      evicted: reason,
      frames: d.frames,
      diagnostics,
    };
  }

  private describeIncomplete(d: Pending<Context>, reason: FragmentEviction | undefined, out: Diagnostic[]): void {
    const layer = layerOf(d.version);
    const why =
      reason === 'snap-length' ? 'the capture cut fragments short (snap length), so it can never be whole'
        : reason === 'timeout' ? `no fragment completed it within ${this.timeoutSec} s (capture time) of its first one`
        : reason === 'table-full' ? `more than ${this.maxDatagrams} datagrams were waiting for fragments and it was the oldest`
          : reason === 'buffer-full' ? `the fragments waiting for reassembly exceeded ${this.maxBufferedBytes} bytes and it was among the oldest`
            : 'the capture ended before all its fragments were seen';
    const size = d.total === undefined ? 'of unknown length' : `of ${d.total} bytes`;
    out.push(truncated(layer, `incomplete datagram ${size}: ${why}; ${d.covered} bytes captured in ${d.frames.length} frame(s)`));
    let pos = 0;
    let holes = 0;
    const report = (from: number, to: number | undefined) => {
      holes++;
      if (holes > MAX_LISTED_HOLES) return;
      out.push(to === undefined
        ? truncated(layer, `bytes from ${from} on were never captured (nor the last fragment, which gives the datagram's length)`)
        : truncated(layer, `${range(from, to)} of the datagram were never captured`));
    };
    for (const p of d.pieces) {
      if (p.offset > pos) report(pos, p.offset);
      pos = p.end;
    }
    if (d.total === undefined) report(pos, undefined);
    else if (pos < d.total) report(pos, d.total);
    if (holes > MAX_LISTED_HOLES) out.push(truncated(layer, `and ${holes - MAX_LISTED_HOLES} more missing ranges`));
  }
}
