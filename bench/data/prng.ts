/**
 * A small seeded pseudo-random generator (mulberry32) with the few distributions the bench data
 * needs, so every run generates exactly the same files.
 */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal (Box-Muller). */
  normal(mean = 0, sd = 1): number {
    const u = 1 - this.next();
    const v = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  lognormal(mean: number, sigma: number): number {
    return Math.exp(this.normal(mean, sigma));
  }

  /** An index drawn with the given probabilities (which sum to 1). */
  pick(probabilities: readonly number[]): number {
    let u = this.next();
    for (const [index, p] of probabilities.entries()) {
      if (u < p) return index;
      u -= p;
    }
    return probabilities.length - 1;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
}
