/**
 * The five outcome flags of the partition-test plan, each computed from the timeline and the
 * ledger reconciliation, never assumed. Their definitions (also in the README):
 * - connection_lost: on a path with a fault, the client saw at least `lost_after` requests in a
 *   row fail (after its retries): the link was down for a stretch, not one unlucky request.
 * - recovery_success: on every path that saw a failure, the requests after its last heal meet the
 *   scenario's `recovery` rule (all / most = more than half / any succeed); with no request after
 *   a heal, at least one request succeeded after the first failure.
 * - data_lost: a write did not reach the server: acknowledged yet missing from the ledger, queued
 *   by the client and never delivered, or given up by the client (failed and never applied).
 * - cascading_failure: a request failed on a path while no fault window of that path was open
 *   during it (and no heal in the second before it), or a client that the faults on at the time
 *   spared by address failed (clients.ts): the failure spread beyond where it was injected.
 * - graceful_degradation: at least `min_success_ratio` of requests were served (succeeded, or
 *   answered from cache), and no request hung: each ended within its policy's budget
 *   (attempts × timeout + backoffs + 1 s).
 */
import { spilledFailures } from './clients.js';
import { budgetMs } from './client-policy.js';
import { faultsOf, longestFailureRun, overlaps } from './metrics.js';
import { dataLost, type Reconciliation } from './reconcile.js';
import type { Flag, Policy, Scenario } from './scenario.js';
import type { RequestEntry, Timeline } from './timeline.js';
import { windowsOfPath } from './windows.js';

/** Failures this soon after a heal are recovery, not a cascade. */
const SETTLE_MS = 1000;

/** Computes every flag. */
export function computeFlags(
  timeline: Timeline,
  scenario: Scenario,
  policy: Policy,
  reconciliation: Reconciliation,
): Record<Flag, boolean> {
  return {
    connection_lost: connectionLost(timeline, scenario),
    recovery_success: recoverySuccess(timeline, scenario),
    data_lost: dataLost(reconciliation),
    cascading_failure: cascadingFailure(timeline, scenario),
    graceful_degradation: gracefulDegradation(timeline, scenario, policy),
  };
}

function faultedPaths(timeline: Timeline, scenario: Scenario): string[] {
  return scenario.paths.filter((path) => faultsOf(timeline, path).faults.length > 0);
}

function connectionLost(timeline: Timeline, scenario: Scenario): boolean {
  return faultedPaths(timeline, scenario).some((path) => longestFailureRun(timeline.requests(path)) >= scenario.lost_after);
}

function meetsRule(requests: readonly RequestEntry[], rule: Scenario['recovery']): boolean {
  const ok = requests.filter((r) => r.outcome === 'ok').length;
  if (rule === 'all') return ok === requests.length;
  if (rule === 'most') return ok * 2 > requests.length;
  return ok > 0;
}

function recoverySuccess(timeline: Timeline, scenario: Scenario): boolean {
  return scenario.paths.every((path) => {
    const requests = timeline.requests(path);
    const firstFailure = requests.findIndex((r) => r.outcome !== 'ok');
    if (firstFailure < 0) return true;
    const lastHeal = faultsOf(timeline, path).heals.at(-1);
    const afterHeal = lastHeal ? requests.filter((r) => r.start >= lastHeal.requested) : [];
    if (afterHeal.length > 0) return meetsRule(afterHeal, scenario.recovery);
    return requests.slice(firstFailure + 1).some((r) => r.outcome === 'ok');
  });
}

function cascadingFailure(timeline: Timeline, scenario: Scenario): boolean {
  if (spilledFailures(timeline, scenario).length > 0) return true;
  return scenario.paths.some((path) => {
    const heals = faultsOf(timeline, path).heals;
    const windows = windowsOfPath(timeline, path);
    return timeline
      .requests(path)
      .some(
        (r) =>
          r.outcome !== 'ok' &&
          !windows.some((w) => overlaps(r, w)) &&
          !heals.some((h) => r.start >= h.requested && r.start - h.applied < SETTLE_MS),
      );
  });
}

function gracefulDegradation(timeline: Timeline, scenario: Scenario, policy: Policy): boolean {
  const requests = timeline.requests();
  if (requests.length === 0) return false;
  const served = requests.filter((r) => r.outcome === 'ok' || r.outcome === 'cached').length;
  const budget = budgetMs(policy) + 1000;
  // A long call (a call step) has its own budget: its timeout.
  const calls = new Map(timeline.calls().map((c) => [c.id, c.timeout_ms + 1000]));
  const hung = requests.some((r) => r.end - r.start > (calls.get(r.id) ?? budget));
  return served / requests.length >= scenario.min_success_ratio && !hung;
}
