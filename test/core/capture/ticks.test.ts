import { describe, expect, it } from 'vitest';
import { decodeTsresol, encodeTsresol, TickConverter, timeToTicks, unitsPerSecond } from '../../../src/core/capture/ticks.js';
import type { TimestampResolution } from '../../../src/core/capture/ticks.js';
import { seededRandom } from '../../helpers/random.js';

/** The reference: what wiretap computes with 64-bit integers (secs = t / U, nsecs = (t % U) * 1e9 / U). */
function reference(hi: number, lo: number, r: TimestampResolution): { sec: bigint; nsec: bigint } {
  const t = (BigInt(hi) << 32n) | BigInt(lo);
  const u = r.base === 10 ? 10n ** BigInt(r.exponent) : 1n << BigInt(r.exponent);
  return { sec: t / u, nsec: ((t % u) * 1_000_000_000n) / u };
}

const resolutions: TimestampResolution[] = [
  ...Array.from({ length: 10 }, (_, k) => ({ base: 10 as const, exponent: k })),
  { base: 10, exponent: 12 },
  { base: 10, exponent: 15 },
  ...[0, 1, 8, 9, 10, 16, 20, 23, 24, 30, 31, 32, 40, 63].map((n) => ({ base: 2 as const, exponent: n })),
];

describe('TickConverter', () => {
  it('decodes if_tsresol in both forms (pcapng §4.2)', () => {
    expect(decodeTsresol(6)).toEqual({ base: 10, exponent: 6 });
    expect(decodeTsresol(9)).toEqual({ base: 10, exponent: 9 });
    expect(decodeTsresol(0x94)).toEqual({ base: 2, exponent: 20 });
    expect(encodeTsresol({ base: 2, exponent: 20 })).toBe(0x94);
    expect(unitsPerSecond({ base: 2, exponent: 20 })).toBe(1048576);
  });

  it('matches 64-bit integer arithmetic exactly for every resolution, including ns values above 2^53', () => {
    const rnd = seededRandom(42);
    for (const r of resolutions) {
      const conv = new TickConverter(r);
      const samples: [number, number][] = [
        [0, 0],
        [0, 0xffffffff],
        [0x0017a2b3, 0x12345678],
        [0x17a2b3c4, 0xfedcba98], // ~1.7e18: a 2023 timestamp in ns, far above 2^53
        [0xffffffff, 0xffffffff],
      ];
      for (let i = 0; i < 2000; i++) samples.push([Math.floor(rnd() * 2 ** 32), Math.floor(rnd() * 2 ** 32)]);
      for (const [hi, lo] of samples) {
        const want = reference(hi, lo, r);
        conv.convert(hi, lo);
        if (want.sec <= BigInt(Number.MAX_SAFE_INTEGER)) expect(conv.sec, `${JSON.stringify(r)} ${hi}:${lo}`).toBe(Number(want.sec));
        expect(conv.nsec, `${JSON.stringify(r)} ${hi}:${lo}`).toBe(Number(want.nsec));
      }
    }
  });

  it('converts a real ns timestamp (nokia_51 frame 1: 2023-03-15 17:15:01.040831000) exactly', () => {
    const t = 1678900501_040831000n;
    const conv = new TickConverter({ base: 10, exponent: 9 });
    conv.convert(Number(t >> 32n), Number(t & 0xffffffffn));
    expect([conv.sec, conv.nsec]).toEqual([1678900501, 40831000]);
  });

  it('adds if_tsoffset seconds', () => {
    const conv = new TickConverter({ base: 10, exponent: 6 }, 1_000_000_000);
    conv.convert(0, 5_000_001);
    expect([conv.sec, conv.nsec]).toEqual([1_000_000_005, 1000]);
  });

  it('round-trips with timeToTicks (rounding down to the resolution)', () => {
    // 1.7e9 s must fit in 64 bits of ticks: up to 10^-10 and 2^-33.
    for (const r of resolutions.filter((x) => (x.base === 10 ? x.exponent <= 10 : x.exponent <= 33))) {
      const { hi, lo } = timeToTicks(1_700_000_000, 123_456_789, r);
      const conv = new TickConverter(r);
      conv.convert(hi, lo);
      expect(conv.sec).toBe(1_700_000_000);
      // Precision lost is at most one tick (one ns for resolutions finer than a ns: two floors).
      expect(123_456_789 - conv.nsec).toBeGreaterThanOrEqual(0);
      expect(123_456_789 - conv.nsec).toBeLessThanOrEqual(Math.ceil(1e9 / unitsPerSecond(r)));
    }
    expect(() => timeToTicks(1_700_000_000, 0, { base: 10, exponent: 12 })).toThrow(RangeError);
  });
});
