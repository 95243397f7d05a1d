/** The end-to-end check of the six built-in scenarios, shared by the tcp, http and mcp test files. */
import type { Test } from 'tap';
import { runDemo, schemaErrors } from './harness.js';

/** Runs the six built-ins with probe `kind` and checks the plan's counts, the ledger and the schema. */
export async function checkBuiltins(t: Test, kind: 'tcp' | 'http' | 'mcp'): Promise<void> {
  const { results } = await runDemo(t, kind);
  t.same(
    results.map((r) => r.test_name),
    ['full_connection_loss', 'intermittent_connectivity', 'partial_failure', 'connection_recovery', 'no_cascading_failures', 'rapid_reconnect'],
  );
  for (const r of results) {
    t.ok(r.passed, `${r.test_name}: ${r.error_message ?? 'passed'}`);
    t.ok(r.ledger.checked, `${r.test_name}: ledger checked`);
    t.equal(r.probe, kind);
  }
  const full = results[0]!;
  t.equal(full.metrics.requests_before_partition, 5, 'full_connection_loss: 5 requests before the partition');
  t.equal(full.metrics.failed_requests_during_partition, 10, '10 failed during it');
  t.equal(full.metrics.requests_after_partition, 5, '5 after the heal');
  t.equal(full.metrics.queued_operations, 10, 'the 10 failed writes were queued');
  t.equal(full.ledger.acknowledged, 20, 'and all 20 writes are in the ledger at the end');
  t.equal(full.metrics.fault_timing_source, 'proxy-event', 'the fault is timed from the proxy event');
  t.ok((full.metrics.detection_time_ms ?? Infinity) < 500, `detected in ${full.metrics.detection_time_ms} ms`);
  t.same(full.windows.map((w) => w.fault), ['partition:drop'], 'full_connection_loss: one window, the drop');
  const drop = full.windows[0];
  t.ok(drop?.transport_detection_ms !== null && (drop?.transport_detection_ms ?? Infinity) <= (drop?.detection_ms ?? 0),
    `the probe's transport saw the drop (${drop?.transport_detection_ms} ms) no later than its next request (${drop?.detection_ms} ms)`);
  const cascade = results[4]!;
  t.equal(cascade.metrics.detection_bound_by, 'client_timeout', 'a black hole is only detected through the client timeout');
  t.equal(cascade.paths['secondary']?.faulted, false, 'no_cascading_failures: the second path is reported as never faulted');
  t.equal(cascade.windows[0]?.transport_detection_ms, null, 'the transport sees nothing of a black hole');
  const rapid = results[5]!;
  t.equal(rapid.windows.length, 10, 'rapid_reconnect: ten windows, one per partition');
  t.equal(rapid.windows.filter((w) => w.detection_ms !== null).length, 10, 'each one detected');
  t.equal(rapid.metrics.over_windows.detection_ms.samples, 10, 'ten detection samples');
  t.equal(rapid.metrics.over_windows.recovery_ms.samples, 10, 'ten recovery samples');
  t.equal(rapid.leaks?.leaked, false, `no leaked sockets or fds: ${JSON.stringify(rapid.leaks)}`);
  t.same(schemaErrors(results), [], 'the results match harness/result.schema.json');
}
