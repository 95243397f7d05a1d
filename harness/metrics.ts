/**
 * Phase metrics: pure functions of a Timeline and its fault windows (windows.ts). On each path:
 * - before: requests that started before the path's first fault was applied (and did not reach it);
 * - during: requests that overlap a window;
 * - between: requests after a heal and before the next fault (rapid cycles have these);
 * - after: requests that started after the last heal was applied.
 * A path never faulted is `before` throughout. A phase's throughput is its successful requests ÷
 * the time that phase lasted on that path (the sum of its stretches), never a span that holds
 * other phases; its latency, the round trips of its successful attempts.
 */
import { summarize, round, type Stats } from './stats.js';
import type { FaultEntry, RequestEntry, Timeline } from './timeline.js';
import type { FaultWindow } from './windows.js';

/** The phases of a path. */
const PHASES = ['before', 'during', 'between', 'after'] as const;

/** One of the phases. */
export type Phase = (typeof PHASES)[number];

/** What happened in one phase of one path (or of the faulted paths together). */
export interface PhaseFigures {
  requests: number;
  ok: number;
  /** How long the phase lasted (summed over paths for a scenario). */
  duration_ms: number;
  /** Successful requests per second over that time; null without requests. */
  rps: number | null;
  latency: Stats;
}

/** The fault and heal entries of `path`, split. */
export function faultsOf(timeline: Timeline, path: string): { faults: FaultEntry[]; heals: FaultEntry[] } {
  const all = timeline.faults(path);
  return { faults: all.filter((f) => f.type === 'fault'), heals: all.filter((f) => f.type === 'heal') };
}

/** Whether `request` overlaps `window` (it was in flight at some moment the fault was on). */
export function overlaps(request: Pick<RequestEntry, 'start' | 'end'>, window: FaultWindow): boolean {
  return request.start < (window.healed_ms ?? Infinity) && request.end >= window.applied_ms;
}

/** The phase of `request`, given the windows of its path. */
export function phaseOf(request: RequestEntry, windows: readonly FaultWindow[]): Phase {
  if (windows.some((w) => overlaps(request, w))) return 'during';
  const first = windows[0];
  if (!first || request.start < first.applied_ms) return 'before';
  const lastHeal = lastHealOf(windows);
  return lastHeal !== null && request.start >= lastHeal ? 'after' : 'between';
}

/** When the last fault on the path was healed; null when one was still on at the end (or none). */
function lastHealOf(windows: readonly FaultWindow[]): number | null {
  if (windows.length === 0 || windows.some((w) => w.healed_ms === null)) return null;
  return Math.max(...windows.map((w) => w.healed_ms as number));
}

/** The four phases of one path. */
export function pathPhases(requests: readonly RequestEntry[], windows: readonly FaultWindow[]): Record<Phase, PhaseFigures> {
  const durations = phaseDurations(requests, windows);
  const out = {} as Record<Phase, PhaseFigures>;
  for (const phase of PHASES) {
    const mine = requests.filter((r) => phaseOf(r, windows) === phase);
    out[phase] = figures(mine, durations[phase]);
  }
  return out;
}

/** The phases of several paths together: counts and durations add up, throughputs add up (paths run side by side). */
export function combinePhases(paths: ReadonlyArray<{ requests: readonly RequestEntry[]; windows: readonly FaultWindow[] }>): Record<Phase, PhaseFigures> {
  const out = {} as Record<Phase, PhaseFigures>;
  const each = paths.map((p) => ({ ...p, phases: pathPhases(p.requests, p.windows) }));
  for (const phase of PHASES) {
    const rates = each.map((p) => p.phases[phase].rps).filter((r): r is number => r !== null);
    const latency = each.flatMap((p) => p.requests.filter((r) => phaseOf(r, p.windows) === phase).flatMap(okRoundTrips));
    out[phase] = {
      requests: each.reduce((n, p) => n + p.phases[phase].requests, 0),
      ok: each.reduce((n, p) => n + p.phases[phase].ok, 0),
      duration_ms: round(each.reduce((n, p) => n + p.phases[phase].duration_ms, 0)),
      rps: rates.length ? round(rates.reduce((a, b) => a + b, 0)) : null,
      latency: summarize(latency),
    };
  }
  return out;
}

/** `part ÷ whole`, to 3 decimals; null when either is missing or whole is 0. */
export function ratio(part: number | null, whole: number | null): number | null {
  return part === null || whole === null || whole === 0 ? null : Math.round((part / whole) * 1000) / 1000;
}

/** Longest run of consecutive requests that did not succeed. */
export function longestFailureRun(requests: readonly RequestEntry[]): number {
  let run = 0;
  let longest = 0;
  for (const request of requests) {
    run = request.outcome === 'ok' ? 0 : run + 1;
    longest = Math.max(longest, run);
  }
  return longest;
}

function figures(requests: readonly RequestEntry[], duration: number): PhaseFigures {
  const ok = requests.filter((r) => r.outcome === 'ok').length;
  return {
    requests: requests.length,
    ok,
    duration_ms: round(duration),
    rps: requests.length === 0 || duration <= 0 ? null : round((ok / duration) * 1000),
    latency: summarize(requests.flatMap(okRoundTrips)),
  };
}

function okRoundTrips(request: RequestEntry): number[] {
  return request.attempts.filter((a) => a.ok).map((a) => a.end - a.start);
}

/**
 * How long each phase lasted on a path. `during` is the union of its windows (applied → healed:
 * the outage is real time whether or not a request was out). The others run from where they begin
 * (the path's first request; a heal) to the end of their last request, so the harness's own pauses
 * to apply a step never count as traffic time.
 */
function phaseDurations(requests: readonly RequestEntry[], windows: readonly FaultWindow[]): Record<Phase, number> {
  const zero = { before: 0, during: 0, between: 0, after: 0 };
  if (requests.length === 0) return zero;
  const end = Math.max(...requests.map((r) => r.end));
  const start = Math.min(...requests.map((r) => r.start));
  const lastEnd = (phase: Phase, from: number, to = Infinity): number | undefined => {
    const ends = requests.filter((r) => r.start >= from && r.start < to && phaseOf(r, windows) === phase).map((r) => r.end);
    return ends.length ? Math.max(...ends) : undefined;
  };
  const stretch = (phase: Phase, from: number, to = Infinity): number => Math.max(0, (lastEnd(phase, from, to) ?? from) - from);
  if (windows.length === 0) return { ...zero, before: stretch('before', start) };
  const during = unionLength(windows.map((w) => [w.applied_ms, Math.min(w.healed_ms ?? end, end)] as const));
  const heals = [...new Set(windows.flatMap((w) => (w.healed_ms === null ? [] : [w.healed_ms])))].sort((a, b) => a - b);
  const lastHeal = lastHealOf(windows);
  let between = 0;
  for (const [i, heal] of heals.entries()) if (heal !== lastHeal) between += stretch('between', heal, heals[i + 1]);
  return { before: stretch('before', start), during, between, after: lastHeal === null ? 0 : stretch('after', lastHeal) };
}

/** The total length covered by `intervals` (overlaps counted once). */
function unionLength(intervals: ReadonlyArray<readonly [number, number]>): number {
  const sorted = intervals.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  let total = 0;
  let [from, to] = [-Infinity, -Infinity];
  for (const [a, b] of sorted) {
    if (a > to) {
      if (to > from) total += to - from;
      [from, to] = [a, b];
    } else to = Math.max(to, b);
  }
  if (to > from) total += to - from;
  return total;
}
