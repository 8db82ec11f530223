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

  constructor(
    private readonly same: (a: number, b: number) => boolean,
    private readonly windowSec = 5,
  ) {}

  /**
   * Records `row`; returns the row of an earlier copy seen at another capture point within the window,
   * or -1. `identity` is a hash of the message identity (equal hashes are confirmed with `same`).
   */
  check(row: number, identity: number, capturePoint: number, tsSec: number): number {
    const slot = identity & (SLOTS - 1);
    const seen = this.rows[slot];
    if (seen >= 0 && this.identities[slot] === identity && Math.abs(tsSec - this.times[slot]) <= this.windowSec && this.capturePoints[slot] !== capturePoint && this.same(seen, row)) {
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

/** FNV-1a over bytes, folded into a running 32-bit hash. */
export function hashBytes(hash: number, bytes: Uint8Array, start: number, end: number): number {
  let h = hash;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

export function hashString(hash: number, text: string): number {
  let h = hash;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Folds a number (an interned id, a CSeq, a size) into the hash. */
export function hashNumber(hash: number, value: number): number {
  let h = Math.imul(hash ^ (value & 0xffff), 0x01000193);
  h = Math.imul(h ^ ((value / 65536) & 0xffff), 0x01000193);
  return h >>> 0;
}

export const HASH_SEED = 0x811c9dc5;
