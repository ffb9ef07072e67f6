import { mulberry32 } from '../mulberry32.ts';

/**
 * A seeded pseudo-random generator (mulberry32): the same seed gives the same lived-in demo, so screenshots
 * and tests are stable. Not for anything secret.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  /** `true` with probability `p`. */
  chance(p: number): boolean;
  /** A copy of `items` in a random order (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[];
  /** `count` distinct items, each drawn with probability proportional to its weight. */
  weightedSample<T>(items: readonly T[], weights: readonly number[], count: number): T[];
  /** A random hex string of `length` characters (idempotency keys). */
  hex(length: number): string;
}

export function seededRandom(seed: number): Random {
  const next = mulberry32(seed);
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    pick: <T>(items: readonly T[]) => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[Math.floor(next() * items.length)] as T;
    },
    chance: (p) => next() < p,
    shuffle: <T>(items: readonly T[]) => {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [out[i], out[j]] = [out[j] as T, out[i] as T];
      }
      return out;
    },
    weightedSample: <T>(items: readonly T[], weights: readonly number[], count: number) => {
      const pool = items.map((item, i) => ({ item, weight: weights[i] ?? 0 }));
      const out: T[] = [];
      while (out.length < count && pool.length > 0) {
        const total = pool.reduce((sum, entry) => sum + entry.weight, 0);
        let r = next() * total;
        let index = pool.findIndex((entry) => {
          r -= entry.weight;
          return r < 0;
        });
        if (index < 0) index = pool.length - 1;
        out.push((pool[index] as { item: T }).item);
        pool.splice(index, 1);
      }
      return out;
    },
    hex: (length) => Array.from({ length }, () => Math.floor(next() * 16).toString(16)).join(''),
  };
}
