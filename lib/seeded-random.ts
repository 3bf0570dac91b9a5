/**
 * A small deterministic random source (mulberry32): the same seed gives the same sequence on
 * every machine, which is what makes a simulator run reproducible. Not for anything secret.
 */
export interface SeededRandom {
  /** Uniform in [0, 1). */
  next: () => number;
  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** Standard normal (mean 0, deviation 1), Box–Muller. */
  normal(): number;
  /** Exponential with the given mean: Poisson inter-arrival times. */
  exponential(mean: number): number;
  /** A random RFC 4122 version-4 shaped UUID string, like the exchange's order ids. */
  uuid(): string;
}

/** Mixes a numeric seed with a label (e.g. a product id) so each stream is independent. */
export function deriveSeed(seed: number, label: string): number {
  // FNV-1a over the label, started from the seed.
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < label.length; i += 1) {
    hash ^= label.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** Creates a seeded random source; `seed` is taken as an unsigned 32-bit integer. */
export function createSeededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const hex = (digits: number): string => {
    let out = '';
    for (let i = 0; i < digits; i += 1) out += Math.floor(next() * 16).toString(16);
    return out;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    normal: () => {
      // 1 - next() is in (0, 1], so the logarithm is finite.
      const u = 1 - next();
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    exponential: (mean) => -Math.log(1 - next()) * mean,
    uuid: () => `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[Math.floor(next() * 4)] ?? '8'}${hex(3)}-${hex(12)}`,
  };
}
