/**
 * Exact conversion of pcapng 64-bit timestamps (two 32-bit halves counting units of the interface's
 * if_tsresol) into Unix seconds + nanoseconds. draft-ietf-opsawg-pcapng §4.2 (if_tsresol) and §4.3 (EPB).
 *
 * A JS number holds integers exactly only up to 2^53, and nanosecond timestamps since 1970 are ~1.7e18,
 * so `hi * 2^32 + lo` is not exact for them. The fast paths below never form the full 64-bit value:
 *  - microseconds (the common case): the full value is < 2^53 until the year 2255, so plain arithmetic;
 *  - 10^-k for k <= 9 (including ns): long division by 16-bit limbs, all intermediates < 2^53;
 *  - 2^-n for n <= 32: shifts on the two halves;
 *  - anything else (10^-12, 2^-40, huge values): BigInt, off the hot path.
 * The nanosecond part is floor(remainder * 1e9 / units), as Wireshark's wiretap computes it, so that our
 * timestamps match tshark's to the nanosecond.
 */

const TWO32 = 4294967296;
const TWO16 = 65536;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

const MODE_MICRO = 0;
const MODE_DECIMAL = 1;
const MODE_BINARY = 2;
const MODE_BIGINT = 3;

/** A decoded if_tsresol byte: base 10 or 2 and the (negative) exponent. */
export interface TimestampResolution {
  base: 10 | 2;
  exponent: number;
}

/** Default when an IDB has no if_tsresol: microseconds (pcapng §4.2). */
export const MICROSECONDS: TimestampResolution = { base: 10, exponent: 6 };

/** if_tsresol: MSB clear → 10^-value, MSB set → 2^-(value & 0x7f). */
export function decodeTsresol(byte: number): TimestampResolution {
  return byte & 0x80 ? { base: 2, exponent: byte & 0x7f } : { base: 10, exponent: byte };
}

export function encodeTsresol(r: TimestampResolution): number {
  return r.base === 2 ? 0x80 | r.exponent : r.exponent;
}

/** Units per second as a number (exact up to 2^53; only for display and for `timestampUnitsPerSecond`). */
export function unitsPerSecond(r: TimestampResolution): number {
  return r.base === 10 ? 10 ** r.exponent : 2 ** r.exponent;
}

/** Whether we can represent the resolution at all (the 64-bit unit count must fit: 10^19 / 2^63 at most). */
export function isSupportedResolution(r: TimestampResolution): boolean {
  return r.base === 10 ? r.exponent <= 19 : r.exponent <= 63;
}

/**
 * Converts ticks of one resolution. `convert` writes `sec`/`nsec` instead of returning an object so the
 * per-packet path allocates nothing. `offsetSeconds` is if_tsoffset (added to every timestamp).
 */
export class TickConverter {
  sec = 0;
  nsec = 0;
  private readonly mode: number;
  /** Units per second as a number (MODE_MICRO / MODE_DECIMAL / MODE_BINARY). */
  private readonly units: number;
  private readonly unitsBig: bigint;
  /** 10^(9-k) for MODE_DECIMAL. */
  private readonly nsecScale: number;
  /** n for MODE_BINARY. */
  private readonly shift: number;
  /** Above this `hi`, the seconds value would pass 2^53 (or the micro shortcut would be inexact). */
  private readonly hiLimit: number;

  constructor(
    readonly resolution: TimestampResolution,
    readonly offsetSeconds = 0,
  ) {
    const { base, exponent } = resolution;
    this.unitsBig = base === 10 ? 10n ** BigInt(exponent) : 1n << BigInt(exponent);
    this.units = Number(this.unitsBig);
    this.nsecScale = 1;
    this.shift = 0;
    if (base === 10 && exponent === 6) {
      this.mode = MODE_MICRO;
      // hi < 2^21 keeps hi * 2^32 + lo below 2^53.
      this.hiLimit = 2 ** 21;
    } else if (base === 10 && exponent <= 9) {
      this.mode = MODE_DECIMAL;
      this.nsecScale = 10 ** (9 - exponent);
      // seconds = ticks / units < 2^53 whenever (hi + 1) * 2^32 <= 2^53 * units.
      this.hiLimit = 2 ** 21 * this.units;
    } else if (base === 2 && exponent <= 32) {
      this.mode = MODE_BINARY;
      this.shift = exponent;
      this.hiLimit = 2 ** (21 + exponent);
    } else {
      this.mode = MODE_BIGINT;
      this.hiLimit = 0;
    }
  }

  convert(hi: number, lo: number): void {
    if (hi >= this.hiLimit) {
      this.convertBig(hi, lo);
    } else if (this.mode === MODE_MICRO) {
      const t = hi * TWO32 + lo;
      let s = Math.floor(t / 1e6);
      let r = t - s * 1e6;
      // Float division is correctly rounded; these two corrections make the floor exact regardless.
      if (r < 0) {
        s -= 1;
        r += 1e6;
      } else if (r >= 1e6) {
        s += 1;
        r -= 1e6;
      }
      this.sec = s + this.offsetSeconds;
      this.nsec = r * 1000;
    } else if (this.mode === MODE_DECIMAL) {
      this.convertDecimal(hi, lo);
    } else {
      this.convertBinary(hi, lo);
    }
  }

  /** Long division of the four 16-bit limbs of hi:lo by `units` (<= 1e9): remainders stay < 2^46. */
  private convertDecimal(hi: number, lo: number): void {
    const u = this.units;
    let r = hi >>> 16;
    const q3 = Math.floor(r / u);
    r -= q3 * u;
    r = r * TWO16 + (hi & 0xffff);
    const q2 = Math.floor(r / u);
    r -= q2 * u;
    r = r * TWO16 + (lo >>> 16);
    const q1 = Math.floor(r / u);
    r -= q1 * u;
    r = r * TWO16 + (lo & 0xffff);
    const q0 = Math.floor(r / u);
    r -= q0 * u;
    this.sec = ((q3 * TWO16 + q2) * TWO16 + q1) * TWO16 + q0 + this.offsetSeconds;
    this.nsec = r * this.nsecScale;
  }

  private convertBinary(hi: number, lo: number): void {
    const n = this.shift;
    const low = 2 ** n;
    const loSec = Math.floor(lo / low); // lo >>> n, but valid for n = 32 too
    const frac = lo - loSec * low;
    this.sec = hi * 2 ** (32 - n) + loSec + this.offsetSeconds;
    // floor(frac * 1e9 / 2^n); with 1e9 = 2^9 * 1953125, frac * 1953125 < 2^53 for n <= 32.
    this.nsec = n >= 9 ? Math.floor((frac * 1953125) / 2 ** (n - 9)) : Math.floor((frac * 1e9) / low);
  }

  private convertBig(hi: number, lo: number): void {
    const t = (BigInt(hi) << 32n) | BigInt(lo);
    const u = this.unitsBig;
    const s = t / u;
    this.sec = Number(s) + this.offsetSeconds;
    this.nsec = Number(((t % u) * 1_000_000_000n) / u);
    if (this.sec > MAX_SAFE) this.sec = MAX_SAFE;
  }
}

/**
 * The inverse, for writers (not a hot path): ticks for `sec` + `nsec` in resolution `r`, rounded down.
 * Returns the two 32-bit halves.
 */
export function timeToTicks(sec: number, nsec: number, r: TimestampResolution): { hi: number; lo: number } {
  const units = r.base === 10 ? 10n ** BigInt(r.exponent) : 1n << BigInt(r.exponent);
  const t = BigInt(sec) * units + (BigInt(nsec) * units) / 1_000_000_000n;
  if (t < 0n || t >= 1n << 64n) throw new RangeError(`${sec}.${nsec} s does not fit in 64 bits at this resolution`);
  return { hi: Number((t >> 32n) & 0xffffffffn), lo: Number(t & 0xffffffffn) };
}
