/**
 * The result of one scenario, in the JSON format of the partition-test plan (`test_name`,
 * `test_type`, `passed`, the five flags, `retry_attempts`, `error_message`, `metrics` with the
 * plan's nine figures), plus our own figures in added fields. The JSON is canonical: reporters
 * render it and nothing else.
 */
import { computeFlags } from './flags.js';
import type { LeakReport } from './leaks.js';
import { detection, faultsOf, lossWindow, phases, recovery } from './metrics.js';
import type { PolicyCounters } from './policy.js';
import { reconcile, type Reconciliation } from './reconcile.js';
import { FLAGS, type Flag, type Policy, type Scenario } from './scenario.js';
import type { Entry, Timeline } from './timeline.js';
import type { Ledger } from './upstreams/upstream.js';

/** The figures of the plan's `metrics` object, plus ours. */
export interface ResultMetrics {
  connection_loss_time_ms: number | null;
  recovery_time_ms: number | null;
  requests_before_partition: number;
  requests_after_partition: number;
  queued_operations: number;
  cached_responses: number;
  successful_requests_before_recovery: number;
  failed_requests_during_partition: number;
  recovery_attempts: number;
  detection_time_ms: number | null;
  detection_bound_by: 'fault' | 'client_timeout' | null;
  loss_window_ms: number | null;
  recovery_time_stable_ms: number | null;
  fault_timing_source: 'proxy-event' | 'api-response' | null;
  latency_ms: Record<'before' | 'during' | 'after', { p50: number | null; p99: number | null; samples: number }>;
  throughput_rps: Record<'before' | 'during' | 'after', number | null>;
  throughput_degradation: number | null;
  total_requests: number;
  successful_requests: number;
}

/** One scenario's result. */
export interface ScenarioResult extends Record<Flag, boolean> {
  test_name: string;
  test_type: string;
  title: string;
  passed: boolean;
  duration_ms: number;
  retry_attempts: number;
  error_message: string | null;
  metrics: ResultMetrics;
  probe: string;
  seed: string;
  expected: Scenario['expect'];
  failed_expectations: string[];
  /** MCP: whether server → client notifications reached the client after every heal (null: not checked). */
  notifications_recovered: boolean | null;
  /** MCP: heals after which the client library had lost the notification stream and the probe re-opened it. */
  notification_stream_repairs: number;
  ledger: Reconciliation;
  leaks: LeakReport | null;
  timeline: Entry[];
}

/** Everything a result is computed from. */
export interface ResultInputs {
  scenario: Scenario;
  policy: Policy;
  timeline: Timeline;
  counters: PolicyCounters;
  ledger: Ledger | undefined;
  leaks: LeakReport | null;
  probe: string;
  seed: string;
  error: string | null;
}

/** Computes a scenario's result from its timeline and ledger. */
export function buildResult(inputs: ResultInputs): ScenarioResult {
  const { scenario, timeline } = inputs;
  const reconciliation = reconcile(timeline, inputs.ledger);
  const flags = computeFlags(timeline, scenario, inputs.policy, reconciliation);
  const notifications = timeline.notifications();
  const notificationsRecovered = notifications.length === 0 ? null : notifications.every((n) => n.ok);

  const failed: string[] = [];
  for (const flag of FLAGS) {
    const want = scenario.expect[flag];
    if (want !== undefined && flags[flag] !== want) failed.push(`${flag} was ${flags[flag]}, expected ${want}`);
  }
  if (scenario.expect.no_leaks && inputs.leaks?.leaked) {
    const { before, after } = inputs.leaks;
    failed.push(`leaked: sockets ${before.sockets} → ${after.sockets}, fds ${before.fds} → ${after.fds}`);
  }
  if (notificationsRecovered === false) failed.push('notifications did not reach the client after a heal');
  if (inputs.error) failed.push(inputs.error);

  return {
    test_name: scenario.name,
    test_type: scenario.type,
    title: scenario.title,
    passed: failed.length === 0,
    duration_ms: Math.round(timeline.now() * 100) / 100,
    ...flags,
    retry_attempts: inputs.counters.retries,
    error_message: failed.length ? failed.join('; ') : null,
    metrics: metricsOf(inputs, timeline, scenario),
    probe: inputs.probe,
    seed: inputs.seed,
    expected: scenario.expect,
    failed_expectations: failed,
    notifications_recovered: notificationsRecovered,
    notification_stream_repairs: notifications.filter((n) => n.repaired).length,
    ledger: reconciliation,
    leaks: inputs.leaks,
    timeline: timeline.entries,
  };
}

function metricsOf(inputs: ResultInputs, timeline: Timeline, scenario: Scenario): ResultMetrics {
  const faultPath = scenario.paths.find((p) => faultsOf(timeline, p).faults.length > 0) ?? (scenario.paths[0] as string);
  const { faults, heals } = faultsOf(timeline, faultPath);
  const firstFault = faults[0];
  const lastHeal = heals.at(-1);
  const requests = timeline.requests();
  const detected = detection(timeline, faultPath);
  const recovered = recovery(timeline, faultPath);
  const byPhase = phases(timeline);
  const before = byPhase.before.rps;
  const during = byPhase.during.rps;
  return {
    connection_loss_time_ms: detected.ms,
    recovery_time_ms: recovered.first,
    requests_before_partition: requests.filter((r) => !firstFault || r.start < firstFault.requested).length,
    requests_after_partition: lastHeal ? requests.filter((r) => r.start >= lastHeal.requested).length : 0,
    queued_operations: inputs.counters.queued,
    cached_responses: inputs.counters.cached,
    successful_requests_before_recovery: requests.filter((r) => r.outcome === 'ok' && (!lastHeal || r.start < lastHeal.requested)).length,
    failed_requests_during_partition: requests.filter((r) => r.faulted && r.outcome !== 'ok').length,
    recovery_attempts: recovered.attempts,
    detection_time_ms: detected.ms,
    detection_bound_by: detected.bound,
    loss_window_ms: lossWindow(timeline, faultPath),
    recovery_time_stable_ms: recovered.stable,
    fault_timing_source: firstFault?.source ?? null,
    latency_ms: { before: byPhase.before.latency, during: byPhase.during.latency, after: byPhase.after.latency },
    throughput_rps: { before, during, after: byPhase.after.rps },
    throughput_degradation: before && during !== null ? Math.round((during / before) * 1000) / 1000 : null,
    total_requests: requests.length,
    successful_requests: requests.filter((r) => r.outcome === 'ok').length,
  };
}
