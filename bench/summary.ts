/**
 * From rounds to verdicts: per metric, the median of each variant over the rounds, the ratio of
 * faultline (and faultline with toxicity-0 toxics) to the bare pipe in every round, the median of
 * those ratios, and whether it meets the target. Pure functions.
 */
import { VARIANTS, type RoundResult, type Variant } from './round.js';
import { median } from './stats.js';

/** A ratio target: `>=` for higher-is-better metrics, `<=` for lower-is-better ones. */
export interface Target {
  op: '>=' | '<=';
  ratio: number;
}

/** How to read one metric out of a round. */
export interface Metric {
  key: string;
  label: string;
  value(round: RoundResult, variant: Variant): number | undefined;
  /** Target for faultline / pipe, if any. */
  faultline?: Target;
  /** Target for faultline-tox0 / pipe, if any. */
  tox0?: Target;
}

const KIB = 1024;

/** The metrics of the data-plane benchmark and the targets of the issue. */
export const METRICS: readonly Metric[] = [
  {
    key: 'throughput_mib_s',
    label: 'throughput (MiB/s)',
    value: (r, v) => r.throughput[v]?.mibPerSecond,
    faultline: { op: '>=', ratio: 0.95 },
    tox0: { op: '>=', ratio: 0.8 },
  },
  { key: 'rtt_p50_us', label: 'RTT p50 (µs)', value: (r, v) => r.rtt[v]?.p50Us, faultline: { op: '<=', ratio: 1.1 } },
  { key: 'rtt_p99_us', label: 'RTT p99 (µs)', value: (r, v) => r.rtt[v]?.p99Us, faultline: { op: '<=', ratio: 1.25 } },
  { key: 'churn_conn_s', label: 'churn (conn/s)', value: (r, v) => r.churn[v]?.perSecond, faultline: { op: '>=', ratio: 0.95 } },
  {
    key: 'idle_rss_kib',
    label: 'idle conn RSS (KiB)',
    value: (r, v) => scale(r.memory[v]?.rssBytes, KIB),
    faultline: { op: '<=', ratio: 1.5 },
  },
  {
    key: 'idle_heap_kib',
    label: 'idle conn JS heap (KiB)',
    value: (r, v) => scale(r.memory[v]?.heapUsedBytes, KIB),
    faultline: { op: '<=', ratio: 1.5 },
  },
  { key: 'idle_external_kib', label: 'idle conn external (KiB)', value: (r, v) => scale(r.memory[v]?.externalBytes, KIB) },
  { key: 'proxy_cpu_ms_per_gib', label: 'proxy CPU per GiB (ms)', value: (r, v) => r.proxyCpu[v]?.msPerGiB },
  { key: 'proxy_cpu_us_per_rtt', label: 'proxy CPU per round trip (µs)', value: (r, v) => r.proxyCpu[v]?.usPerRoundTrip },
  { key: 'proxy_cpu_us_per_conn', label: 'proxy CPU per connection (µs)', value: (r, v) => r.proxyCpu[v]?.usPerConnection },
];

function scale(bytes: number | undefined, unit: number): number | undefined {
  return bytes === undefined ? undefined : bytes / unit;
}

/** One side of a comparison against the pipe. */
export interface RatioSummary {
  perRound: number[];
  median: number;
  target?: Target;
  met?: boolean;
}

/** One metric over all rounds. */
export interface MetricSummary {
  key: string;
  label: string;
  /** Median over rounds per variant (null where not measured). */
  medians: Record<Variant, number | null>;
  faultline: RatioSummary;
  tox0: RatioSummary;
}

function ratios(rounds: RoundResult[], metric: Metric, variant: Variant, target: Target | undefined): RatioSummary {
  const perRound: number[] = [];
  for (const round of rounds) {
    const base = metric.value(round, 'pipe');
    const value = metric.value(round, variant);
    if (base !== undefined && value !== undefined && base !== 0) perRound.push(value / base);
  }
  const mid = median(perRound);
  const summary: RatioSummary = { perRound, median: mid };
  if (target && perRound.length > 0) {
    summary.target = target;
    summary.met = target.op === '>=' ? mid >= target.ratio : mid <= target.ratio;
  }
  return summary;
}

/** Summarises every metric over `rounds`. */
export function summarize(rounds: RoundResult[]): MetricSummary[] {
  return METRICS.map((metric) => {
    const medians = {} as Record<Variant, number | null>;
    for (const variant of VARIANTS) {
      const values = rounds.map((r) => metric.value(r, variant)).filter((v): v is number => v !== undefined);
      medians[variant] = values.length === 0 ? null : median(values);
    }
    return {
      key: metric.key,
      label: metric.label,
      medians,
      faultline: ratios(rounds, metric, 'faultline', metric.faultline),
      tox0: ratios(rounds, metric, 'faultline-tox0', metric.tox0),
    };
  });
}
