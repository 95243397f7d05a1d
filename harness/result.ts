/**
 * Builds the result of one scenario (its shape: result-schema.ts) in the JSON format of the
 * partition-test plan (`test_name`, `test_type`, `passed`, the five flags, `retry_attempts`,
 * `error_message`, `metrics` with the plan's nine figures), plus faultline's figures: the fault
 * windows, per-path phases, the ledger reconciliation and the timeline. The JSON is canonical:
 * reporters render it and nothing else.
 */
import { budgetMs } from './client-policy.js';
import { clientsOf, clientsRecovered, pathClients, windowsOverClients } from './clients.js';
import { computeFlags } from './flags.js';
import type { LeakReport } from './leaks.js';
import { knownDefects } from './mcp-defects.js';
import { mcpExpectationFailures, mcpFigures } from './mcp-figures.js';
import type { CallLedgerSnapshot } from './mcp-schema.js';
import type { McpFacts } from './probes/call.js';
import { combinePhases, faultsOf, pathPhases, ratio, type Phase, type PhaseFigures } from './metrics.js';
import type { PolicyCounters } from './policy.js';
import { lagDuring, type HarnessOverhead } from './overhead.js';
import { reconcile, type Reconciliation } from './reconcile.js';
import type { ClientResult } from './result-client-schema.js';
import type { ScenarioResult } from './result-schema.js';
import { FLAGS, type Policy, type Scenario } from './scenario.js';
import { round, summarize } from './stats.js';
import { reconnectWaves } from './storm.js';
import type { Timeline } from './timeline.js';
import type { Ledger } from './upstreams/upstream.js';
import { windowsOfPath, type FaultWindow } from './windows.js';

export type { ScenarioResult, ReadableResult } from './result-schema.js';

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
  /** Faults the server lacked and the harness emulated (see plan.ts). */
  emulated: string[];
  /** How to read the result (see notes.ts). */
  notes: string[];
  client: ClientResult | null;
  /** MCP: what the probe knows of the protocol it spoke (undefined for other probes). */
  mcp?: McpFacts | undefined;
  /** MCP: the server's call ledger, when it keeps one. */
  calls?: CallLedgerSnapshot | undefined;
  /** The harness's own overhead during the run (overhead.ts). */
  harness?: HarnessOverhead | undefined;
}

/** Computes a scenario's result from its timeline and ledger. */
export function buildResult(inputs: ResultInputs): ScenarioResult {
  const { scenario, timeline } = inputs;
  const reconciliation = reconcile(timeline, inputs.ledger);
  const flags = computeFlags(timeline, scenario, inputs.policy, reconciliation);
  const notifications = timeline.notifications();
  const notificationsRecovered = notifications.length === 0 ? null : notifications.every((n) => n.ok);
  const byPath = new Map(scenario.paths.map((path) => [path, decorated(inputs, path, windowsOfPath(timeline, path))]));
  const windows = [...byPath.values()].flat().sort((a, b) => a.applied_ms - b.applied_ms);

  // A run that broke says so first: the flags after it describe a cut-short run.
  const failed: string[] = inputs.error ? [inputs.error] : [];
  for (const flag of FLAGS) {
    const want = scenario.expect[flag];
    if (want !== undefined && flags[flag] !== want) failed.push(`${flag} was ${flags[flag]}, expected ${want}`);
  }
  if (scenario.expect.no_leaks && inputs.leaks?.leaked) {
    const { probe_sockets: sockets, proxy_connections: connections } = inputs.leaks;
    failed.push(`leaked: ${sockets} probe socket(s) still open, ${connections ?? 'unknown'} proxy connection(s) still live`);
  }
  const repairs = notifications.filter((n) => n.repaired).length;
  const mcp = mcpFigures({ timeline, facts: inputs.mcp, calls: inputs.calls, ledger: inputs.ledger });
  failed.push(...mcpExpectationFailures(scenario, mcp, reconciliation));
  if (notificationsRecovered === false) failed.push('notifications did not reach the client after a heal');
  const recovered = clientsRecovered(windows, budgetMs(inputs.policy));
  if (scenario.expect.clients_recovered !== undefined && recovered.ok !== scenario.expect.clients_recovered) {
    failed.push(`clients_recovered was ${recovered.ok}, expected ${scenario.expect.clients_recovered}${recovered.why ? ` (${recovered.why})` : ''}`);
  }

  return {
    test_name: scenario.name,
    test_type: scenario.type,
    passed: failed.length === 0,
    duration_ms: round(timeline.now()),
    ...flags,
    retry_attempts: inputs.counters.retries,
    error_message: failed.length ? failed.join('; ') : null,
    metrics: metricsOf(inputs, byPath, windows),
    title: scenario.title,
    probe: inputs.probe,
    seed: inputs.seed,
    expected: scenario.expect,
    failed_expectations: failed,
    notifications_recovered: notificationsRecovered,
    notification_stream_repairs: repairs,
    ledger: reconciliation,
    leaks: inputs.leaks,
    emulated: inputs.emulated,
    notes: inputs.notes,
    client: inputs.client,
    windows,
    paths: Object.fromEntries([...byPath].map(([path, mine]) => [path, pathFigures(inputs, reconciliation, path, mine)])),
    ...mcp,
    known_defects: knownDefects(timeline, inputs.mcp, inputs.calls),
    ...(inputs.harness ? { harness: inputs.harness } : {}),
    timeline: timeline.entries,
  };
}

/** Detection and recovery over `windows`: p50, p99 and max. */
function overWindows(windows: readonly FaultWindow[]): ScenarioResult['metrics']['over_windows'] {
  const of = (pick: (w: FaultWindow) => number | null): number[] => windows.map(pick).filter((v): v is number => v !== null);
  return {
    windows: windows.length,
    detection_ms: summarize(of((w) => w.detection_ms)),
    transport_detection_ms: summarize(of((w) => w.transport_detection_ms)),
    recovery_ms: summarize(of((w) => w.recovery_ms)),
    recovery_stable_ms: summarize(of((w) => w.recovery_stable_ms)),
  };
}

function pathFigures(inputs: ResultInputs, reconciliation: Reconciliation, path: string, windows: readonly FaultWindow[]): ScenarioResult['paths'][string] {
  const { timeline } = inputs;
  const phases = pathPhases(timeline.requests(path), windows);
  const clients = clientsOf(timeline, path);
  return {
    faulted: windows.length > 0,
    over_windows: overWindows(windows),
    phases,
    throughput_degradation: ratio(phases.during.rps, phases.before.rps),
    recovered_throughput: ratio(phases.after.rps, phases.before.rps),
    ...(clients.length ? { clients: pathClients(timeline, path, clients, reconciliation, inputs.scenario.client_addresses?.[path]) } : {}),
  };
}

/** A path's windows with their figures over its clients and reconnect waves (multi-client paths), and the harness's lag. */
function decorated(inputs: ResultInputs, path: string, windows: FaultWindow[]): FaultWindow[] {
  const { timeline } = inputs;
  const end = timeline.now();
  const clients = clientsOf(timeline, path);
  const over = clients.length ? windowsOverClients(timeline, path, clients, windows) : [];
  const waves = clients.length ? reconnectWaves(timeline, path, windows, end) : [];
  return windows.map((window, i) => {
    const next = windows[i + 1]?.applied_ms ?? end;
    const lag = inputs.harness ? lagDuring(inputs.harness.lag_spans, window, next) : undefined;
    const wave = waves[i];
    return {
      ...window,
      ...(over[i] ? { clients: over[i] } : {}),
      ...(wave ? { reconnect: wave } : {}),
      ...(lag === undefined ? {} : { harness_lag_ms: lag }),
    };
  });
}

function metricsOf(inputs: ResultInputs, byPath: ReadonlyMap<string, FaultWindow[]>, windows: readonly FaultWindow[]): ScenarioResult['metrics'] {
  const { timeline, scenario } = inputs;
  const requests = timeline.requests();
  const firstFault = scenario.paths.flatMap((p) => faultsOf(timeline, p).faults).sort((a, b) => a.applied - b.applied)[0];
  const lastHeal = timeline.faults().filter((f) => f.type === 'heal').at(-1);
  // The seed's figures: detection of the first window that caused a failure, recovery of the last healed one that had failures.
  const detected = windows.find((w) => w.detection_ms !== null);
  const recovered = windows.filter((w) => w.healed_ms !== null && w.detection_ms !== null).sort((a, b) => (a.healed_ms as number) - (b.healed_ms as number)).at(-1);
  const faulted = [...byPath].filter(([, w]) => w.length > 0);
  const measured = (faulted.length ? faulted : [...byPath]).map(([path, w]) => ({ requests: timeline.requests(path), windows: w }));
  const phases = combinePhases(measured);
  const pick = <T>(get: (p: PhaseFigures) => T): Record<Phase, T> =>
    ({ before: get(phases.before), during: get(phases.during), between: get(phases.between), after: get(phases.after) });
  const lags = [detected?.harness_lag_ms, recovered?.harness_lag_ms].filter((l): l is number => l !== undefined);
  return {
    connection_loss_time_ms: detected?.detection_ms ?? null,
    recovery_time_ms: recovered?.recovery_ms ?? null,
    requests_before_partition: requests.filter((r) => !firstFault || r.start < firstFault.requested).length,
    requests_after_partition: lastHeal ? requests.filter((r) => r.start >= lastHeal.requested).length : 0,
    queued_operations: inputs.counters.queued,
    cached_responses: inputs.counters.cached,
    successful_requests_before_recovery: requests.filter((r) => r.outcome === 'ok' && (!lastHeal || r.start < lastHeal.requested)).length,
    failed_requests_during_partition: requests.filter((r) => r.faulted && r.outcome !== 'ok').length,
    recovery_attempts: recovered?.recovery_attempts ?? 0,
    detection_time_ms: detected?.detection_ms ?? null,
    detection_bound_by: detected?.detection_bound ?? null,
    transport_detection_time_ms: detected?.transport_detection_ms ?? null,
    loss_window_ms: detected?.loss_window_ms ?? null,
    recovery_time_stable_ms: recovered?.recovery_stable_ms ?? null,
    fault_timing_source: firstFault?.source ?? null,
    over_windows: overWindows(windows),
    latency_ms: pick((p) => p.latency),
    throughput_rps: pick((p) => p.rps),
    throughput_degradation: ratio(phases.during.rps, phases.before.rps),
    recovered_throughput: ratio(phases.after.rps, phases.before.rps),
    total_requests: requests.length,
    successful_requests: requests.filter((r) => r.outcome === 'ok').length,
    ...(lags.length ? { harness_lag_ms: Math.max(...lags) } : {}),
  };
}
