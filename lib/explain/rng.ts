// A small seeded PRNG (mulberry32): 32-bit state, integer arithmetic only, so the same seed
// gives the same sequence in every JavaScript engine (browser worker, Node).

export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number;
  /** `k` distinct indices from [0, n), uniformly (partial Fisher–Yates). */
  choose(n: number, k: number): number[];
}

/** Seeds are reduced to an unsigned 32-bit integer. */
export function createRng(seed: number): Rng {
  let a = (Math.trunc(seed) >>> 0) ^ 0x9e3779b9;
  const next = (): number => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int(lo, hi) {
      return lo + Math.floor(next() * (hi - lo + 1));
    },
    choose(n, k) {
      const perm = Array.from({ length: n }, (_, i) => i);
      const m = Math.max(0, Math.min(k, n));
      for (let j = 0; j < m; j++) {
        const r = j + Math.floor(next() * (n - j));
        const tmp = perm[j];
        perm[j] = perm[r];
        perm[r] = tmp;
      }
      return perm.slice(0, m);
    },
  };
}
