import { decodeText } from '../util/text.js';

const EMPTY = 0;
const INITIAL_SLOTS = 1 << 12;
const encoder = new TextEncoder();

/**
 * Interns byte strings without making JS strings: values are hashed straight from the packet bytes, stored
 * once in a growable byte arena, and looked up through an open-addressing table. The hot path (indexing
 * 300k messages) then allocates nothing per field; a JS string is made only when a value is read, and
 * cached. Id 0 is the empty value.
 *
 * Memory per distinct value: its bytes plus 12 bytes of offsets/lengths/hashes plus ~8 bytes of table.
 */
/**
 * FNV-1a over 32-bit words (four bytes per multiply, a quarter of the dependent multiplies of the byte-wise
 * form), then murmur3's finaliser: word-wise FNV only carries bits upwards, and the table indexes by the
 * low bits, so they must depend on every input bit.
 */
export function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  let i = start;
  for (const last = end - 3; i < last; i += 4) h = Math.imul(h ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24)), 0x01000193);
  for (; i < end; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class ByteInterner {
  private arena = new Uint8Array(1 << 16);
  private arenaLength = 0;
  /** Per id: offset and length in the arena, and the full hash. Index 0 is the empty value. */
  private offsets = new Uint32Array(1024);
  private lengths = new Uint32Array(1024);
  private hashes = new Uint32Array(1024);
  private count = 1;
  /** Open-addressing table of ids (0 = free slot). Kept at most half full. */
  private slots = new Uint32Array(INITIAL_SLOTS);
  private mask = INITIAL_SLOTS - 1;
  private readonly decoded: (string | undefined)[] = [''];
  private scratch = new Uint8Array(256);
  private readonly memos = new Uint32Array(16);

  get size(): number {
    return this.count;
  }

  /** Bytes held (arena + tables), for the summary and benchmarks. */
  get byteSize(): number {
    return this.arena.byteLength + this.offsets.byteLength * 3 + this.slots.byteLength;
  }

  /**
   * Like `intern`, first comparing with the value last interned under the same `memo` slot (0..15): a field
   * that repeats from one message to the next (the UE's From URI, a reason phrase) then costs one compare
   * instead of a hash and a probe.
   */
  internMemo(memo: number, bytes: Uint8Array, start: number, end: number): number {
    const last = this.memos[memo];
    const length = end - start;
    if (last !== EMPTY && this.lengths[last] === length) {
      const arena = this.arena;
      const offset = this.offsets[last];
      let i = 0;
      while (i < length && arena[offset + i] === bytes[start + i]) i++;
      if (i === length) return last;
    }
    const id = this.intern(bytes, start, end);
    this.memos[memo] = id;
    return id;
  }

  /** The id of bytes[start, end), adding it when new. */
  intern(bytes: Uint8Array, start: number, end: number): number {
    const length = end - start;
    if (length <= 0) return EMPTY;
    const hash = hashBytes(bytes, start, end);
    const arena = this.arena;
    let slot = hash & this.mask;
    for (;;) {
      const id = this.slots[slot];
      if (id === EMPTY) break;
      if (this.hashes[id] === hash && this.lengths[id] === length) {
        const offset = this.offsets[id];
        let same = true;
        for (let i = 0; i < length; i++) {
          if (arena[offset + i] !== bytes[start + i]) {
            same = false;
            break;
          }
        }
        if (same) return id;
      }
      slot = (slot + 1) & this.mask;
    }
    return this.insert(bytes, start, end, hash, slot);
  }

  /** The id of a JS string value (encoded as UTF-8, the same bytes the wire carried for UTF-8 text). */
  internString(value: string | undefined): number {
    if (value === undefined || value.length === 0) return EMPTY;
    const n = value.length;
    if (this.scratch.length < n * 3) this.scratch = new Uint8Array(n * 3 + 64);
    const scratch = this.scratch;
    // ASCII (nearly every SIP value) is copied in a plain loop: cheaper than a TextEncoder call per field.
    let i = 0;
    for (; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c >= 0x80) break;
      scratch[i] = c;
    }
    if (i === n) return this.intern(scratch, 0, n);
    const { written } = encoder.encodeInto(value, scratch);
    return this.intern(scratch, 0, written);
  }

  get(id: number): string {
    if (id <= 0 || id >= this.count) return '';
    let text = this.decoded[id];
    if (text === undefined) {
      const offset = this.offsets[id];
      text = decodeText(this.arena, offset, offset + this.lengths[id]);
      this.decoded[id] = text;
    }
    return text;
  }

  private insert(bytes: Uint8Array, start: number, end: number, hash: number, slot: number): number {
    const length = end - start;
    if (this.arenaLength + length > this.arena.length) {
      let capacity = this.arena.length * 2;
      while (capacity < this.arenaLength + length) capacity *= 2;
      const arena = new Uint8Array(capacity);
      arena.set(this.arena.subarray(0, this.arenaLength));
      this.arena = arena;
    }
    this.arena.set(bytes.subarray(start, end), this.arenaLength);
    if (this.count === this.offsets.length) {
      const grow = (a: Uint32Array<ArrayBuffer>): Uint32Array<ArrayBuffer> => {
        const b = new Uint32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.offsets = grow(this.offsets);
      this.lengths = grow(this.lengths);
      this.hashes = grow(this.hashes);
    }
    const id = this.count++;
    this.offsets[id] = this.arenaLength;
    this.lengths[id] = length;
    this.hashes[id] = hash;
    this.arenaLength += length;
    this.slots[slot] = id;
    if (this.count * 2 > this.slots.length) this.rehash();
    return id;
  }

  private rehash(): void {
    const slots = new Uint32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let id = 1; id < this.count; id++) {
      let slot = this.hashes[id] & mask;
      while (slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      slots[slot] = id;
    }
    this.slots = slots;
    this.mask = mask;
  }
}
