/**
 * Task latencies for pool.stats(): a log-scale histogram (8 buckets per doubling, so a
 * percentile is off by 9% at most), constant time and memory whatever the number of tasks.
 */
const PER_DOUBLING = 8;
// From 1 µs to 2^40 µs (12 days).
const BUCKETS = 40 * PER_DOUBLING;

/** Latency percentiles in milliseconds (0 before the first task). */
export interface LatencySummary {
  /** Median. */
  p50: number;
  p90: number;
  p99: number;
  /** The largest seen, exact. */
  max: number;
  /** The mean, exact. */
  mean: number;
}

export class LatencyHistogram {
  readonly #counts = new Float64Array(BUCKETS);
  #total = 0;
  #sumMs = 0;
  #maxMs = 0;

  /** Records `weight` tasks that took `ms` milliseconds each. */
  record(ms: number, weight: number): void {
    const us = Math.max(1, ms * 1000);
    const bucket = Math.min(BUCKETS - 1, Math.floor(Math.log2(us) * PER_DOUBLING));
    this.#counts[bucket]! += weight;
    this.#total += weight;
    this.#sumMs += ms * weight;
    if (ms > this.#maxMs) this.#maxMs = ms;
  }

  summary(): LatencySummary {
    return {
      p50: this.#percentile(0.5),
      p90: this.#percentile(0.9),
      p99: this.#percentile(0.99),
      max: this.#maxMs,
      mean: this.#total === 0 ? 0 : this.#sumMs / this.#total,
    };
  }

  // The upper edge of the bucket holding the p-quantile, capped by the exact maximum.
  #percentile(p: number): number {
    if (this.#total === 0) return 0;
    const rank = p * this.#total;
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank) return Math.min(this.#maxMs, 2 ** ((i + 1) / PER_DOUBLING) / 1000);
    }
    return this.#maxMs;
  }
}
