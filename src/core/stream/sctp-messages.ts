import { truncated, type Diagnostic } from '../diagnostics.js';
import type { SctpDataChunk } from '../layers/packet.js';
import { isIDataChunk } from '../layers/sctp.js';
import type { TimedChunk } from './chunks.js';

/**
 * Where whole SCTP user messages go. For SIP over SCTP each user message carries exactly one SIP message
 * (RFC 4168 §5), so the transport frames it: no Content-Length framing is needed. `diagnostics` is empty
 * for a whole message and says what is missing for a partial one (emitted by `finish()` or when a buffer
 * limit is reached).
 */
export type SctpMessageHandler<Flow> = (flow: Flow, bytes: Uint8Array, start: number, end: number, chunks: TimedChunk[], diagnostics: Diagnostic[]) => void;

/** Limits per association direction: bytes and fragments waiting for the rest of their message. */
export interface SctpMessageLimits {
  maxPendingBytes: number;
  maxPendingFragments: number;
  /** How many recent TSNs are remembered to recognise retransmitted DATA chunks. */
  tsnWindow: number;
}

export const defaultSctpMessageLimits: SctpMessageLimits = { maxPendingBytes: 4 * 1024 * 1024, maxPendingFragments: 4096, tsnWindow: 65536 };

/** One fragment kept until its message is complete: its bytes are copied (packet buffers are reused). */
interface Fragment {
  tsn: number;
  streamId: number;
  /** SSN (DATA) or MID (I-DATA). */
  streamSeq: number;
  fragmentSeq: number;
  begin: boolean;
  end: boolean;
  unordered: boolean;
  iData: boolean;
  bytes: Uint8Array;
  where: TimedChunk;
  /** Arrival order, to give up on the oldest first. */
  arrival: number;
}

interface Direction<Flow> {
  flow: Flow;
  /** DATA fragments by TSN (RFC 9260 §6.9: a fragmented message has consecutive TSNs). */
  byTsn: Map<number, Fragment>;
  /** I-DATA fragments by message: `${U}:${stream}:${MID}` then FSN (RFC 8260 §2.1: fragments may interleave). */
  byMessage: Map<string, Map<number, Fragment>>;
  pendingBytes: number;
  pendingFragments: number;
  /** TSNs seen recently: a set and the FIFO that bounds it. */
  seen: Set<number>;
  seenOrder: number[];
  seenHead: number;
}

/**
 * SCTP user-message reassembly per association direction (RFC 9260 §6.9 for DATA, RFC 8260 §2.1 for
 * I-DATA). The caller feeds every DATA/I-DATA chunk of every packet with a key naming the association
 * direction (addresses, ports and verification tag: the tag changes when an association restarts) and
 * gets whole user messages back. A chunk carrying a whole message (B and E set) is handed on at once
 * without copying; fragments are copied and kept until their message is complete, in any arrival order.
 * A chunk whose TSN was already seen (a retransmission, or the same packet captured twice) is counted in
 * `duplicateChunks` and not delivered again. Buffers are bounded; what cannot be completed is emitted as
 * a partial message with a diagnostic, never dropped silently.
 */
export class SctpMessageTable<Flow> {
  private readonly directions = new Map<string, Direction<Flow>>();
  private arrivals = 0;
  /** DATA chunks not delivered because their TSN was seen before (retransmissions, duplicates). */
  duplicateChunks = 0;
  /** User messages emitted whole / partial. */
  messages = 0;
  partialMessages = 0;

  constructor(
    private readonly emit: SctpMessageHandler<Flow>,
    private readonly limits: SctpMessageLimits = defaultSctpMessageLimits,
  ) {}

  /**
   * Feeds one DATA or I-DATA chunk found in `bytes`, as `decodeSctp` recorded it in `state.sctpChunks`.
   * `where` says where its user data `bytes[chunk.payloadStart, payloadEnd)` is in the capture
   * (`where.length` = the payload length). `describeFlow` is called once per direction.
   */
  add(key: string, describeFlow: () => Flow, bytes: Uint8Array, chunk: SctpDataChunk, where: TimedChunk): void {
    const iData = isIDataChunk(chunk);
    let direction = this.directions.get(key);
    if (!direction) {
      direction = { flow: describeFlow(), byTsn: new Map(), byMessage: new Map(), pendingBytes: 0, pendingFragments: 0, seen: new Set(), seenOrder: [], seenHead: 0 };
      this.directions.set(key, direction);
    }
    if (!this.remember(direction, chunk.tsn)) {
      this.duplicateChunks++;
      return;
    }
    if (chunk.begin && chunk.end) {
      // An unfragmented message: one chunk, no copy.
      this.messages++;
      this.emit(direction.flow, bytes, chunk.payloadStart, chunk.payloadEnd, [where], []);
      return;
    }
    const fragment: Fragment = {
      tsn: chunk.tsn,
      streamId: chunk.streamId,
      streamSeq: chunk.streamSeq,
      fragmentSeq: chunk.fragmentSeq,
      begin: chunk.begin,
      end: chunk.end,
      unordered: chunk.unordered,
      iData,
      bytes: bytes.slice(chunk.payloadStart, chunk.payloadEnd),
      where,
      arrival: this.arrivals++,
    };
    direction.pendingBytes += fragment.bytes.length;
    direction.pendingFragments++;
    if (iData) this.addIData(direction, fragment);
    else this.addData(direction, fragment);
    if (direction.pendingBytes > this.limits.maxPendingBytes || direction.pendingFragments > this.limits.maxPendingFragments) {
      this.flush(direction, `more than ${this.limits.maxPendingBytes} bytes or ${this.limits.maxPendingFragments} fragments waiting for the rest of their messages`);
    }
  }

  /** End of the capture: every incomplete message is emitted as partial, with what is missing. */
  finish(): void {
    for (const direction of this.directions.values()) this.flush(direction, 'the capture ended');
  }

  get directionCount(): number {
    return this.directions.size;
  }

  /** Records a TSN; false when it was seen already. */
  private remember(direction: Direction<Flow>, tsn: number): boolean {
    if (direction.seen.has(tsn)) return false;
    direction.seen.add(tsn);
    const window = this.limits.tsnWindow;
    if (direction.seenOrder.length < window) {
      direction.seenOrder.push(tsn);
    } else {
      direction.seen.delete(direction.seenOrder[direction.seenHead]);
      direction.seenOrder[direction.seenHead] = tsn;
      direction.seenHead = (direction.seenHead + 1) % window;
    }
    return true;
  }

  /** DATA: the message is the run of consecutive TSNs from a B fragment to an E fragment on one stream. */
  private addData(direction: Direction<Flow>, fragment: Fragment): void {
    direction.byTsn.set(fragment.tsn, fragment);
    let first = fragment;
    while (!first.begin) {
      const previous = direction.byTsn.get((first.tsn - 1) >>> 0);
      if (!previous || previous.end || previous.streamId !== fragment.streamId) return;
      first = previous;
    }
    const run = [first];
    for (let tsn = first.tsn; ; ) {
      if (run[run.length - 1].end) break;
      tsn = (tsn + 1) >>> 0;
      const next = direction.byTsn.get(tsn);
      if (!next || next.begin || next.streamId !== fragment.streamId) return;
      run.push(next);
      if (run.length > direction.pendingFragments) return;
    }
    for (const f of run) direction.byTsn.delete(f.tsn);
    this.deliver(direction, run, []);
  }

  /** I-DATA: fragments of one message share stream, U flag and MID, ordered by FSN (B has FSN 0). */
  private addIData(direction: Direction<Flow>, fragment: Fragment): void {
    const key = `${fragment.unordered ? 1 : 0}:${fragment.streamId}:${fragment.streamSeq}`;
    let fragments = direction.byMessage.get(key);
    if (!fragments) {
      fragments = new Map();
      direction.byMessage.set(key, fragments);
    }
    if (fragments.has(fragment.fragmentSeq)) {
      // Same FSN under a new TSN: a resent fragment; keep the first copy.
      direction.pendingBytes -= fragment.bytes.length;
      direction.pendingFragments--;
      this.duplicateChunks++;
      return;
    }
    fragments.set(fragment.fragmentSeq, fragment);
    const head = fragments.get(0);
    if (!head?.begin) return;
    const run: Fragment[] = [];
    for (let fsn = 0; fsn <= fragments.size; fsn++) {
      const f = fragments.get(fsn);
      if (!f) return;
      run.push(f);
      if (f.end) break;
    }
    if (!run[run.length - 1].end) return;
    direction.byMessage.delete(key);
    this.deliver(direction, run, []);
  }

  private deliver(direction: Direction<Flow>, run: Fragment[], diagnostics: Diagnostic[]): void {
    let length = 0;
    for (const f of run) length += f.bytes.length;
    const bytes = new Uint8Array(length);
    let at = 0;
    for (const f of run) {
      bytes.set(f.bytes, at);
      at += f.bytes.length;
    }
    direction.pendingBytes -= length;
    direction.pendingFragments -= run.length;
    if (diagnostics.length > 0) this.partialMessages++;
    else this.messages++;
    this.emit(
      direction.flow,
      bytes,
      0,
      length,
      run.map((f) => f.where),
      diagnostics,
    );
  }

  /** Emits every waiting fragment of a direction as partial messages, oldest first. */
  private flush(direction: Direction<Flow>, reason: string): void {
    const partials: Fragment[][] = [];
    // DATA: split the waiting fragments into runs of consecutive TSNs on one stream, broken at B and E.
    const data = [...direction.byTsn.values()].sort((a, b) => a.arrival - b.arrival);
    const used = new Set<Fragment>();
    for (const f of data) {
      if (used.has(f)) continue;
      let first = f;
      for (;;) {
        if (first.begin) break;
        const previous = direction.byTsn.get((first.tsn - 1) >>> 0);
        if (!previous || previous.end || used.has(previous) || previous.streamId !== first.streamId) break;
        first = previous;
      }
      const run = [first];
      used.add(first);
      for (let current = first; !current.end; ) {
        const next = direction.byTsn.get((current.tsn + 1) >>> 0);
        if (!next || next.begin || used.has(next) || next.streamId !== current.streamId) break;
        run.push(next);
        used.add(next);
        current = next;
      }
      partials.push(run);
    }
    direction.byTsn.clear();
    // I-DATA: each message's fragments in FSN order.
    for (const fragments of direction.byMessage.values()) partials.push([...fragments.values()].sort((a, b) => a.fragmentSeq - b.fragmentSeq));
    direction.byMessage.clear();
    partials.sort((a, b) => a[0].arrival - b[0].arrival);
    for (const run of partials) this.deliver(direction, run, [truncated('sctp', `incomplete user message (${describeMissing(run)}): ${reason}`)]);
  }
}

/** What a partial run lacks, for its diagnostic. */
function describeMissing(run: Fragment[]): string {
  const first = run[0];
  const last = run[run.length - 1];
  const missing: string[] = [];
  if (!first.begin) missing.push('no first fragment');
  if (!last.end) missing.push('no last fragment');
  if (first.iData) {
    for (let i = 1; i < run.length; i++) if (run[i].fragmentSeq !== run[i - 1].fragmentSeq + 1) missing.push(`FSN ${run[i - 1].fragmentSeq + 1}..${run[i].fragmentSeq - 1} missing`);
    return `stream ${first.streamId}, MID ${first.streamSeq}, ${run.length} fragment${run.length === 1 ? '' : 's'}, ${missing.join(', ')}`;
  }
  return `stream ${first.streamId}, TSN ${first.tsn}..${last.tsn}, ${missing.join(', ')}`;
}
