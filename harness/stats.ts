/** Small statistics the metrics share: nearest-rank percentiles, summaries, rounding to 0.01 ms. */

/** p50 / p99 / max of some samples (null without samples). */
export interface Stats {
  p50: number | null;
  p99: number | null;
  max: number | null;
  samples: number;
}

/** Nearest-rank percentile `p` (0..100) of `values`; null for none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

/** p50, p99 and max of `values`, rounded. */
export function summarize(values: readonly number[]): Stats {
  const at = (p: number): number | null => roundOrNull(percentile(values, p));
  return { p50: at(50), p99: at(99), max: at(100), samples: values.length };
}

/** Rounds to 0.01 ms. */
export function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/** Rounds, keeping null. */
function roundOrNull(ms: number | null): number | null {
  return ms === null ? null : round(ms);
}
