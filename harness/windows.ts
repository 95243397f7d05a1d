/**
 * Fault windows: every fault step on a path opens a window at the moment the proxy applied it and
 * the next heal on that path closes it (a heal takes off every fault the harness put there), or
 * the scenario's end does. Each window is measured on its own, so a latency step before a drop
 * never leaks into the drop's detection, and ten partitions give ten samples. Pure functions of a
 * Timeline; times in ms on its clock. The definitions (also in the README):
 * - a failed attempt belongs to the latest window on its path that was applied before the attempt
 *   ended and not yet healed when it started (against a server without events, whose faults are
 *   timed by the API's answer, a window owns what happens from the fault's request to the heal's);
 * - detection: applied → the end of the window's first failed attempt (null when none failed);
 * - transport detection: applied → the first transport event of the probe (reset, peer close,
 *   refused connect, stream end) that belongs to the window the same way, null when it saw none;
 * - loss window: that first failure → the first successful attempt on the path after it;
 * - recovery: heal applied → the first successful attempt that ends after it; stable: → the end of
 *   the third successful request in a row; both before the path's next fault, else null.
 */
import type { Attempt } from './probes/probe.js';
import { percentile, round } from './stats.js';
import type { FaultWindowResult } from './result-schema.js';
import type { FaultEntry, RequestEntry, Timeline } from './timeline.js';

/** One fault on one path, from applied to healed, and what it did (field meanings: result-schema.ts). */
export type FaultWindow = FaultWindowResult;

type TimedAttempt = Pick<Attempt, 'ok' | 'error' | 'start' | 'end'>;

/** The open and close of each window, before measuring. */
interface Span {
  path: string;
  fault: FaultEntry;
  healed: number | null;
  /**
   * Where the window owns what happens: from the moment the fault may have taken effect to the
   * moment the heal may have. A proxy event pins both to when the proxy applied them; timed only by
   * the API's answer (a server without events), the fault may act from its request on, and the heal too.
   */
  from: number;
  until: number;
}

/** Windows of every path, in the order they were applied. */
export function faultWindows(timeline: Timeline): FaultWindow[] {
  const paths = [...new Set(timeline.faults().map((f) => f.path))];
  return paths.flatMap((path) => windowsOfPath(timeline, path)).sort((a, b) => a.applied_ms - b.applied_ms);
}

/** The windows of `path`, in the order they were applied; with `client`, as that one client of the path saw them. */
export function windowsOfPath(timeline: Timeline, path: string, client?: number): FaultWindow[] {
  const spans = spansOf(timeline.faults(path), path);
  const mine = <T extends { client?: number | undefined }>(e: T): boolean => client === undefined || e.client === client;
  const requests = timeline.requests(path).filter(mine);
  const attempts = requests.flatMap((r) => r.attempts).sort((a, b) => a.end - b.end);
  const owner = (start: number, end: number): Span | undefined => ownerOf(spans, start, end);
  const baseline = beforeLatency(requests, spans[0]?.fault.applied);
  return spans.map((span, i) => {
    const { applied } = span.fault;
    const healed = span.healed;
    // Timed by the API's answer, the fault may have acted a little before it: that counts as 0.
    const since = (at: number): number => round(Math.max(0, at - applied));
    const firstFail = attempts.find((a) => !a.ok && owner(a.start, a.end) === span);
    const transport = timeline.transports(path).find((e) => mine(e) && owner(e.at, e.at) === span);
    const recovered = firstFail ? attempts.find((a) => a.ok && a.end > firstFail.end) : undefined;
    const next = spans.slice(i + 1).find((s) => healed !== null && s.fault.applied >= healed)?.fault.applied ?? Infinity;
    const overlapping = requests.filter((r) => r.start < (healed ?? Infinity) && r.end >= applied);
    const inside = attempts.filter((a) => a.ok && a.start >= applied && a.end <= (healed ?? Infinity));
    const p50 = median(inside.map((a) => a.end - a.start));
    return {
      path,
      fault: span.fault.fault,
      applied_ms: round(applied),
      healed_ms: healed === null ? null : round(healed),
      detection_ms: firstFail ? since(firstFail.end) : null,
      detection_bound: firstFail ? (firstFail.error === 'timeout' ? 'client_timeout' : 'fault') : null,
      transport_detection_ms: transport ? since(transport.at) : null,
      loss_window_ms: firstFail && recovered ? round(recovered.end - firstFail.end) : null,
      ...recoveryOf(requests, attempts, healed, next),
      requests: overlapping.length,
      failed_requests: overlapping.filter((r) => r.outcome !== 'ok').length,
      latency_p50_ms: p50 === null ? null : round(p50),
      latency_increase_ms: p50 === null || baseline === null ? null : round(p50 - baseline),
    };
  });
}

/** Pairs each fault with the next heal on its path (a heal closes every window open there). */
function spansOf(entries: readonly FaultEntry[], path: string): Span[] {
  const spans: Span[] = [];
  let open: Span[] = [];
  for (const entry of entries) {
    if (entry.type === 'fault') {
      const from = entry.source === 'api-response' ? entry.requested : entry.applied;
      const span: Span = { path, fault: entry, healed: null, from, until: Infinity };
      spans.push(span);
      open.push(span);
    } else {
      for (const span of open) {
        span.healed = entry.applied;
        span.until = entry.source === 'api-response' ? entry.requested : entry.applied;
      }
      open = [];
    }
  }
  return spans;
}

/** The window something that ran from `start` to `end` belongs to: the latest in effect by `end` and not healed by `start`. */
function ownerOf(spans: readonly Span[], start: number, end: number): Span | undefined {
  let owner: Span | undefined;
  for (const span of spans) {
    if (span.from <= end && start < span.until) owner = span;
  }
  return owner;
}

/** Recovery after a heal at `healed`, counted only before the path's next fault at `limit`. */
function recoveryOf(
  requests: readonly RequestEntry[],
  attempts: readonly TimedAttempt[],
  healed: number | null,
  limit: number,
): Pick<FaultWindow, 'recovery_ms' | 'recovery_stable_ms' | 'recovery_attempts'> {
  if (healed === null) return { recovery_ms: null, recovery_stable_ms: null, recovery_attempts: 0 };
  const after = attempts.filter((a) => a.end >= healed && a.end < limit);
  const first = after.findIndex((a) => a.ok);
  let streak = 0;
  let stable: number | null = null;
  const later = requests.filter((r) => r.end >= healed && r.end < limit).sort((a, b) => a.end - b.end);
  for (const request of later) {
    streak = request.outcome === 'ok' ? streak + 1 : 0;
    if (streak === 3) {
      stable = round(request.end - healed);
      break;
    }
  }
  return {
    recovery_ms: first < 0 ? null : round((after[first] as TimedAttempt).end - healed),
    recovery_stable_ms: stable,
    recovery_attempts: first < 0 ? after.length : first + 1,
  };
}

/** p50 round trip of successful attempts of requests that ended before `firstApplied`. */
function beforeLatency(requests: readonly RequestEntry[], firstApplied: number | undefined): number | null {
  if (firstApplied === undefined) return null;
  const durations = requests.filter((r) => r.end < firstApplied).flatMap((r) => r.attempts.filter((a) => a.ok).map((a) => a.end - a.start));
  return median(durations);
}

function median(values: readonly number[]): number | null {
  return percentile(values, 50);
}
