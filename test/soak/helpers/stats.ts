/** Small statistics and formatting helpers for soak reports. */

/** The `q` quantile of ascending `sorted` samples (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

/** p50, p99 and max of samples (any order), in the samples' unit. */
export interface Spread {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

/** The spread of `samples`. */
export function spread(samples: readonly number[]): Spread {
  const sorted = [...samples].sort((a, b) => a - b);
  return { n: sorted.length, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: sorted.at(-1) ?? Number.NaN };
}

/** `p50 1.2 ms, p99 8.0 ms, max 12.3 ms (n 600)`. */
export function showMs(s: Spread): string {
  return `p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, max ${s.max.toFixed(1)} ms (n ${s.n})`;
}

/** Bytes as MiB with one decimal. */
export function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

/** One machine-readable report line (`soak <test> {json}`), for RELIABILITY.md and CI logs. */
export function reportLine(test: string, figures: object): string {
  return `soak ${test} ${JSON.stringify(figures, (_key, value: unknown) =>
    typeof value === 'number' && !Number.isInteger(value) ? Number(value.toFixed(2)) : value,
  )}`;
}
