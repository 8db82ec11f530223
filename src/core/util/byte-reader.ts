/**
 * Bounds-checked reads over a Uint8Array. Every decoder reads through these helpers (or checks `end`
 * explicitly before a hot-path read), so that a short buffer becomes a `truncated` diagnostic instead of
 * `undefined` arithmetic or an exception escaping the engine.
 */

/** Thrown by the checked readers when a read would pass `end`; decoders turn it into a diagnostic. */
export class OutOfBoundsError extends Error {
  constructor(
    readonly offset: number,
    readonly wanted: number,
    readonly end: number,
  ) {
    super(`needs ${wanted} byte(s) at offset ${offset} but only ${Math.max(0, end - offset)} remain`);
    this.name = 'OutOfBoundsError';
  }
}

export class ByteReader {
  readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    /** First readable offset (inclusive) within `bytes`. */
    readonly start = 0,
    /** Last readable offset (exclusive) within `bytes`. */
    readonly end = bytes.length,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  remaining(offset: number): number {
    return this.end - offset;
  }

  has(offset: number, length: number): boolean {
    return offset >= this.start && length >= 0 && offset + length <= this.end;
  }

  private check(offset: number, length: number): void {
    if (!this.has(offset, length)) throw new OutOfBoundsError(offset, length, this.end);
  }

  u8(offset: number): number {
    this.check(offset, 1);
    return this.bytes[offset];
  }

  u16be(offset: number): number {
    this.check(offset, 2);
    return this.view.getUint16(offset);
  }

  u16le(offset: number): number {
    this.check(offset, 2);
    return this.view.getUint16(offset, true);
  }

  u16(offset: number, littleEndian: boolean): number {
    this.check(offset, 2);
    return this.view.getUint16(offset, littleEndian);
  }

  u32be(offset: number): number {
    this.check(offset, 4);
    return this.view.getUint32(offset);
  }

  u32le(offset: number): number {
    this.check(offset, 4);
    return this.view.getUint32(offset, true);
  }

  u32(offset: number, littleEndian: boolean): number {
    this.check(offset, 4);
    return this.view.getUint32(offset, littleEndian);
  }

  /** A view (no copy) of `length` bytes at `offset`. */
  slice(offset: number, length: number): Uint8Array {
    this.check(offset, length);
    return this.bytes.subarray(offset, offset + length);
  }
}
