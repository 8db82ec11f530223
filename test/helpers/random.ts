/**
 * Deterministic randomness for tests: a failing permutation or fuzz case can be replayed from its seed.
 */

/** A pseudo-random generator (mulberry32) returning numbers in [0, 1), the same sequence for the same seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A shuffled copy of `items` (Fisher–Yates, drawing from `rnd`). */
export function shuffle<T>(items: T[], rnd: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** A permutation of 0..n-1 drawn from `seed`. */
export function seededPermutation(n: number, seed: number): number[] {
  return shuffle(
    Array.from({ length: n }, (_, i) => i),
    seededRandom(seed),
  );
}
