// Seeded choices of the audit: which messages it looks at, and the stream of random numbers each
// generator gets. Each message and suite draws from its own stream, derived from the run's seed
// and its own keys, so adding a suite or a message changes no other variant.
import { createRng, type Rng } from '@/lib/explain/rng';

/** A seed for the stream named by `keys` within the run seeded `seed` (FNV-1a over the keys, then mixed). */
export function subSeed(seed: number, ...keys: (string | number)[]): number {
  let h = 0x811c9dc5 ^ (Math.trunc(seed) >>> 0);
  for (const key of keys) {
    const text = `${key}\u0000`;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

/** The random stream named by `keys` within the run seeded `seed`. */
export function streamFor(seed: number, ...keys: (string | number)[]): Rng {
  return createRng(subSeed(seed, ...keys));
}

/** One element of a non-empty list, uniformly. */
export function pick<T>(rng: Rng, items: readonly T[]): T {
  if (items.length === 0) throw new Error('pick from an empty list');
  return items[rng.int(0, items.length - 1)]!;
}

/**
 * Up to `n` indices of `strata` (one stratum per item, e.g. its intent), as evenly spread over the
 * strata as `n` allows: the strata in a seeded order give one item each, round after round, each
 * stratum's items in a seeded order, until `n` are taken or none is left. In ascending order.
 */
export function stratifiedSample(strata: readonly string[], n: number, seed: number): number[] {
  const rng = createRng(seed);
  const byStratum = new Map<string, number[]>();
  strata.forEach((stratum, i) => {
    const members = byStratum.get(stratum);
    if (members) members.push(i);
    else byStratum.set(stratum, [i]);
  });
  const names = [...byStratum.keys()].sort();
  const order = rng.choose(names.length, names.length).map((i) => names[i]!);
  const queues = order.map((name) => {
    const members = byStratum.get(name)!;
    return rng.choose(members.length, members.length).map((j) => members[j]!);
  });
  const taken: number[] = [];
  const want = Math.max(0, Math.min(Math.floor(n), strata.length));
  for (let round = 0; taken.length < want; round++) {
    for (const queue of queues) {
      if (taken.length >= want) break;
      if (round < queue.length) taken.push(queue[round]!);
    }
  }
  return taken.sort((a, b) => a - b);
}
