/** A seeded 32-bit generator (mulberry32): the same seed gives the same files on every machine. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = hash32(seed, 0x9e3779b9) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(values: readonly T[]): T {
    return values[Math.floor(this.next() * values.length)]!;
  }

  /** An index drawn from relative weights. */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let u = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i]!;
      if (u < 0) return i;
    }
    return weights.length - 1;
  }
}

/** A stateless hash of integers to a non-negative 32-bit integer: attributes of item n without storing item n. */
export function hash32(...values: number[]): number {
  let h = 0x811c9dc5 | 0;
  for (const v of values) {
    let k = Math.imul(v | 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
    const high = Math.floor(v / 4294967296);
    if (high !== 0) h ^= Math.imul(high, 0x85ebca6b);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** `hash32` mapped onto one of `values`. */
export function choose<T>(values: readonly T[], ...key: number[]): T {
  return values[hash32(...key) % values.length]!;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * A fixed permutation of [0, n): rank r (0 = most popular) to an item index, so that popularity is not tied to
 * the order of the catalog file.
 */
export function permutation(n: number, seed: number): (rank: number) => number {
  if (n <= 1) return () => 0;
  let stride = Math.max(1, Math.floor(n * 0.6180339887) | 1);
  while (gcd(stride, n) !== 1) stride++;
  const offset = hash32(seed, n) % n;
  return (rank) => (rank * stride + offset) % n;
}
