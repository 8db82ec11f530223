import type { MessageFacts } from './facts.js';

const NONE = -1;
/** Text columns per row. */
const TEXTS = 11;
const DIRECTIONS = ['sendrecv', 'sendonly', 'recvonly', 'inactive'] as const;
const enum Flag {
  Sdp = 1,
  Preconditions = 2,
  /** Bit 5 (bits 2–4 hold the direction). */
  IsFocus = 32,
}
/** Bits 2–4 of the flags: audio direction + 1 (0 = none); bit 7 marks a row that has facts. */
const DIRECTION_SHIFT = 2;

/** Rows per block (as the message index: columns grow a block at a time, nothing is copied). */
const BLOCK_BITS = 14;
const BLOCK_ROWS = 1 << BLOCK_BITS;
const BLOCK_MASK = BLOCK_ROWS - 1;

/**
 * The message facts of a whole trace in columns: numbers in typed arrays, texts (option tags, content
 * type, event, ICID, codecs...) as ids of a small string table, the rare ones (RSeq, RAck) in sparse maps.
 * Some 50 bytes per message instead of a few hundred for objects, and nothing for the collector to walk;
 * `get(row)` rebuilds the `MessageFacts` object when the analysis asks for it.
 */
export class FactsTable {
  private readonly numbers: Float64Array[] = []; // expires, contactExpires (NaN: none), 2 per row
  private readonly texts: Int32Array[] = []; // require, supported, contentType, event, icid, sessionId, referTo, reason, codecs, authNonce, challengeNonce
  private readonly flags: Uint8Array[] = [];
  private readonly rseq = new Map<number, number>();
  private readonly rack = new Map<number, { rseq: number; cseq: number; method: string }>();
  private readonly strings: string[] = [];
  private readonly ids = new Map<string, number>();
  private rows = 0;

  get count(): number {
    return this.rows;
  }

  private text(value: string | undefined): number {
    if (value === undefined) return NONE;
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(value);
      this.ids.set(value, id);
    }
    return id;
  }

  /** Stores the facts of `row` (rows are set in increasing order; skipped rows have no facts). */
  set(row: number, facts: MessageFacts): void {
    while (this.numbers.length <= row >>> BLOCK_BITS) {
      this.numbers.push(new Float64Array(2 * BLOCK_ROWS).fill(NaN));
      this.texts.push(new Int32Array(TEXTS * BLOCK_ROWS).fill(NONE));
      this.flags.push(new Uint8Array(BLOCK_ROWS));
    }
    const block = row >>> BLOCK_BITS;
    const i = row & BLOCK_MASK;
    const numbers = this.numbers[block];
    numbers[2 * i] = facts.expires ?? NaN;
    numbers[2 * i + 1] = facts.contactExpires ?? NaN;
    const texts = this.texts[block];
    const t = TEXTS * i;
    texts[t] = facts.require.length > 0 ? this.text(facts.require.join(',')) : NONE;
    texts[t + 1] = facts.supported.length > 0 ? this.text(facts.supported.join(',')) : NONE;
    texts[t + 2] = this.text(facts.contentType);
    texts[t + 3] = this.text(facts.event);
    texts[t + 4] = this.text(facts.icid);
    texts[t + 5] = this.text(facts.sessionId);
    texts[t + 6] = this.text(facts.referTo);
    texts[t + 7] = this.text(facts.reason);
    texts[t + 8] = facts.codecs.length > 0 ? this.text(facts.codecs.join('\n')) : NONE;
    texts[t + 9] = this.text(facts.authNonce);
    texts[t + 10] = this.text(facts.challengeNonce);
    const direction = facts.audioDirection ? DIRECTIONS.indexOf(facts.audioDirection) + 1 : 0;
    this.flags[block][i] = 0x80 | (facts.sdp ? Flag.Sdp : 0) | (facts.preconditions ? Flag.Preconditions : 0) | (facts.isFocus ? Flag.IsFocus : 0) | (direction << DIRECTION_SHIFT);
    if (facts.rseq !== undefined) this.rseq.set(row, facts.rseq);
    if (facts.rack !== undefined) this.rack.set(row, facts.rack);
    this.rows = Math.max(this.rows, row + 1);
  }

  /**
   * The id of one text fact of `row` in this table's string table (-1 when absent), and the text of an id:
   * display filters test each distinct value once (`ims.icid`).
   */
  textIdOf(row: number, fact: 'icid' | 'sessionId' | 'event' | 'contentType'): number {
    const block = row >>> BLOCK_BITS;
    if (row < 0 || block >= this.flags.length || this.flags[block][row & BLOCK_MASK] === 0) return NONE;
    const slot = fact === 'icid' ? 4 : fact === 'sessionId' ? 5 : fact === 'event' ? 3 : 2;
    return this.texts[block][TEXTS * (row & BLOCK_MASK) + slot];
  }

  textOf(id: number): string {
    return this.strings[id] ?? '';
  }

  /** The ICID and Session-ID of `row` (what links the legs of a session), without building its facts. */
  sessionKeys(row: number): [string | undefined, string | undefined] {
    const block = row >>> BLOCK_BITS;
    if (row < 0 || block >= this.flags.length || this.flags[block][row & BLOCK_MASK] === 0) return [undefined, undefined];
    const t = TEXTS * (row & BLOCK_MASK);
    const texts = this.texts[block];
    return [texts[t + 4] === NONE ? undefined : this.strings[texts[t + 4]], texts[t + 5] === NONE ? undefined : this.strings[texts[t + 5]]];
  }

  get(row: number): MessageFacts | undefined {
    const block = row >>> BLOCK_BITS;
    if (row < 0 || block >= this.flags.length) return undefined;
    const i = row & BLOCK_MASK;
    const flags = this.flags[block][i];
    if (flags === 0) return undefined;
    const texts = this.texts[block];
    const t = TEXTS * i;
    const list = (id: number, separator: string) => (id === NONE ? [] : this.strings[id].split(separator));
    const value = (id: number) => (id === NONE ? undefined : this.strings[id]);
    const facts: MessageFacts = {
      require: list(texts[t], ','),
      supported: list(texts[t + 1], ','),
      contentType: value(texts[t + 2]) ?? '',
      sdp: (flags & Flag.Sdp) !== 0,
      codecs: list(texts[t + 8], '\n'),
      preconditions: (flags & Flag.Preconditions) !== 0,
    };
    const numbers = this.numbers[block];
    if (!Number.isNaN(numbers[2 * i])) facts.expires = numbers[2 * i];
    if (!Number.isNaN(numbers[2 * i + 1])) facts.contactExpires = numbers[2 * i + 1];
    const rseq = this.rseq.get(row);
    if (rseq !== undefined) facts.rseq = rseq;
    const rack = this.rack.get(row);
    if (rack !== undefined) facts.rack = rack;
    if (flags & Flag.IsFocus) facts.isFocus = true;
    const direction = (flags >> DIRECTION_SHIFT) & 7;
    if (direction > 0) facts.audioDirection = DIRECTIONS[direction - 1];
    const optional = ['event', 'icid', 'sessionId', 'referTo', 'reason'] as const;
    optional.forEach((key, k) => {
      const text = value(texts[t + 3 + k]);
      if (text !== undefined) facts[key] = text;
    });
    const authNonce = value(texts[t + 9]);
    if (authNonce !== undefined) facts.authNonce = authNonce;
    const challengeNonce = value(texts[t + 10]);
    if (challengeNonce !== undefined) facts.challengeNonce = challengeNonce;
    return facts;
  }
}
