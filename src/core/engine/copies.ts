import { TextColumn, type MessageIndex } from '../index/message-index.js';

/**
 * Finds the same SIP message seen at two capture points: inside ESP and in clear on either side of the
 * IPsec endpoint, inside GTP-U on S1-U/N3 and plain on SGi/N6, on two interfaces of one pcapng. The later
 * call-flow work shows such copies as one arrow; here they are only linked, never merged or dropped.
 *
 * A message's identity is its Call-ID, CSeq, top Via branch, method or status and size: a proxy that
 * forwards a message adds a Via and changes its size, so forwarded messages do not match, while a capture
 * point that sees the very same bytes does. A UDP retransmission (RFC 3261 §17.1.1.2) is the same message
 * at the same capture point, and is not a copy: only a different capture point (interface, encapsulation,
 * or outer addresses / tunnel ids) makes one.
 */
export class CopyDetector {
  /**
   * A direct-mapped table of recent messages by identity hash: fixed size, no allocation per message. A
   * slot is overwritten by the next message with the same low hash bits; copies arrive within milliseconds
   * of each other, long before that happens (2^16 slots hold seconds of a busy trace).
   */
  private readonly identities = new Uint32Array(SLOTS);
  private readonly rows = new Int32Array(SLOTS).fill(-1);
  private readonly capturePoints = new Float64Array(SLOTS);
  private readonly times = new Float64Array(SLOTS);
  /**
   * Most traces are taken at one capture point, where no message can have a copy: until a second capture
   * point shows up nothing is hashed, and when one does, the messages of the last window are entered then.
   */
  private onlyCapturePoint: number | undefined;
  private severalCapturePoints = false;

  constructor(
    private readonly index: MessageIndex,
    private readonly same: (a: number, b: number) => boolean,
    private readonly windowSec = 5,
  ) {}

  /**
   * Records message `row` (already in the index), seen at `capturePoint` at `tsSec`; returns the row of an
   * earlier copy seen at another capture point within the window, or -1.
   */
  add(row: number, capturePoint: number, tsSec: number): number {
    if (!this.severalCapturePoints) {
      if (this.onlyCapturePoint === undefined || this.onlyCapturePoint === capturePoint) {
        this.onlyCapturePoint = capturePoint;
        return -1;
      }
      this.severalCapturePoints = true;
      this.backfill(row, this.onlyCapturePoint, tsSec);
    }
    return this.check(row, this.identityOf(row), capturePoint, tsSec);
  }

  /** Enters the messages of the last window, all seen at the one capture point known until now. */
  private backfill(before: number, capturePoint: number, tsSec: number): void {
    let first = before;
    while (first > 0 && tsSec - this.timeOf(first - 1) <= this.windowSec) first--;
    for (let row = first; row < before; row++) this.check(row, this.identityOf(row), capturePoint, this.timeOf(row));
  }

  private timeOf(row: number): number {
    const m = this.index;
    return m.tsSecOf(row) + m.tsNsecOf(row) / 1e9;
  }

  /** Call-ID, CSeq, method or reason and size, from the index columns (the branch is compared by `same`). */
  private identityOf(row: number): number {
    const m = this.index;
    let h = hashNumber(HASH_SEED, m.textId(row, TextColumn.CallId));
    h = hashNumber(h, m.cseqOf(row));
    h = hashNumber(h, m.textId(row, TextColumn.MethodOrReason));
    return hashNumber(h, m.sizeOf(row));
  }

  private check(row: number, identity: number, capturePoint: number, tsSec: number): number {
    const slot = identity & (SLOTS - 1);
    const seen = this.rows[slot];
    if (seen >= 0 && seen !== row && this.identities[slot] === identity && Math.abs(tsSec - this.times[slot]) <= this.windowSec && this.capturePoints[slot] !== capturePoint && this.same(seen, row)) {
      // Keep the first copy in the slot: a third capture point links to it too.
      return seen;
    }
    this.identities[slot] = identity;
    this.rows[slot] = row;
    this.capturePoints[slot] = capturePoint;
    this.times[slot] = tsSec;
    return -1;
  }
}

const SLOTS = 1 << 16;

/** Folds a number (an interned id, a CSeq, a size) into an FNV-1a hash. */
function hashNumber(hash: number, value: number): number {
  let h = Math.imul(hash ^ (value & 0xffff), 0x01000193);
  h = Math.imul(h ^ ((value / 65536) & 0xffff), 0x01000193);
  return h >>> 0;
}

const HASH_SEED = 0x811c9dc5;
