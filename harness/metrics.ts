/**
 * Metrics: pure functions of a Timeline. Times are ms on the timeline's clock. What each figure
 * means is defined here once (and in the README's "What the harness measures"):
 * - detection: fault applied by the proxy → end of the first failed attempt on that path;
 * - loss window: that first failure → the first successful attempt after it;
 * - recovery: heal applied → the first successful attempt (and → the end of the 3rd request in a
 *   row that succeeded: "stable");
 * - latency: durations of successful attempts before the first fault, while one is active, after the last heal;
 * - throughput: successful requests per second in the same three phases.
 */
import type { FaultEntry, RequestEntry, Timeline } from './timeline.js';

/** p50 / p99 of a phase, in ms (null without samples). */
export interface Percentiles {
  p50: number | null;
  p99: number | null;
  samples: number;
}

/** Nearest-rank percentile `p` (0..100) of `values`; null for none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

/** The fault and heal entries of `path`, split. */
export function faultsOf(timeline: Timeline, path: string): { faults: FaultEntry[]; heals: FaultEntry[] } {
  const all = timeline.faults(path);
  return { faults: all.filter((f) => f.type === 'fault'), heals: all.filter((f) => f.type === 'heal') };
}

/** Every attempt on `path`, flattened and in time order. */
function attemptsOf(timeline: Timeline, path: string): Array<{ ok: boolean; error?: string; start: number; end: number }> {
  return timeline
    .requests(path)
    .flatMap((r) => r.attempts)
    .sort((a, b) => a.end - b.end);
}

/** Fault applied → first failed attempt after it. `bound` says whether a client timeout set it. */
export function detection(timeline: Timeline, path: string): { ms: number | null; bound: 'fault' | 'client_timeout' | null } {
  const fault = faultsOf(timeline, path).faults[0];
  if (!fault) return { ms: null, bound: null };
  const failed = attemptsOf(timeline, path).find((a) => !a.ok && a.end >= fault.applied);
  if (!failed) return { ms: null, bound: null };
  return { ms: round(failed.end - fault.applied), bound: failed.error === 'timeout' ? 'client_timeout' : 'fault' };
}

/** First failure after the first fault → the first success after it. */
export function lossWindow(timeline: Timeline, path: string): number | null {
  const fault = faultsOf(timeline, path).faults[0];
  if (!fault) return null;
  const attempts = attemptsOf(timeline, path);
  const firstFail = attempts.find((a) => !a.ok && a.end >= fault.applied);
  if (!firstFail) return null;
  const recovered = attempts.find((a) => a.ok && a.end > firstFail.end);
  return recovered ? round(recovered.end - firstFail.end) : null;
}

/** Last heal applied → first successful attempt, and → the end of 3 successful requests in a row. */
export function recovery(timeline: Timeline, path: string): { first: number | null; stable: number | null; attempts: number } {
  const heal = faultsOf(timeline, path).heals.at(-1);
  if (!heal) return { first: null, stable: null, attempts: 0 };
  const after = attemptsOf(timeline, path).filter((a) => a.start >= heal.requested);
  const firstOk = after.findIndex((a) => a.ok);
  const requests = timeline.requests(path).filter((r) => r.start >= heal.requested);
  let streak = 0;
  let stable: number | null = null;
  for (const request of requests) {
    streak = request.outcome === 'ok' ? streak + 1 : 0;
    if (streak === 3) {
      stable = round(request.end - heal.applied);
      break;
    }
  }
  return {
    first: firstOk < 0 ? null : round((after[firstOk] as { end: number }).end - heal.applied),
    stable,
    attempts: firstOk < 0 ? after.length : firstOk + 1,
  };
}

/** The phase of a request on its path: before any fault, during one, or after the last heal. */
export function phaseOf(request: RequestEntry, timeline: Timeline): 'before' | 'during' | 'after' {
  if (request.faulted) return 'during';
  const { faults } = faultsOf(timeline, request.path);
  const first = faults[0];
  return first === undefined || request.start < first.requested ? 'before' : 'after';
}

/** Latency percentiles of successful attempts, and throughput, per phase. */
export function phases(timeline: Timeline): Record<'before' | 'during' | 'after', { latency: Percentiles; rps: number | null }> {
  const out = {} as Record<'before' | 'during' | 'after', { latency: Percentiles; rps: number | null }>;
  for (const phase of ['before', 'during', 'after'] as const) {
    const requests = timeline.requests().filter((r) => phaseOf(r, timeline) === phase);
    const durations = requests.flatMap((r) => r.attempts.filter((a) => a.ok).map((a) => a.end - a.start));
    const span = requests.length ? Math.max(...requests.map((r) => r.end)) - Math.min(...requests.map((r) => r.start)) : 0;
    const ok = requests.filter((r) => r.outcome === 'ok').length;
    out[phase] = {
      latency: { p50: roundOrNull(percentile(durations, 50)), p99: roundOrNull(percentile(durations, 99)), samples: durations.length },
      rps: span > 0 ? round((ok / span) * 1000) : null,
    };
  }
  return out;
}

/** Longest run of consecutive requests on `path` that did not succeed. */
export function longestFailureRun(requests: readonly RequestEntry[]): number {
  let run = 0;
  let longest = 0;
  for (const request of requests) {
    run = request.outcome === 'ok' ? 0 : run + 1;
    longest = Math.max(longest, run);
  }
  return longest;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

function roundOrNull(ms: number | null): number | null {
  return ms === null ? null : round(ms);
}
