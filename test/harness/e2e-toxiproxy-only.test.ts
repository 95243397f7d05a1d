import t from 'tap';
import { BUILTIN_SCENARIOS, builtinScenarios } from '../../harness/builtins.js';
import { runDemo, schemaErrors } from '../helpers/harness.js';

/** What the harness must say it emulated on a server without faultline's extensions, per built-in. */
const EMULATED: Record<(typeof BUILTIN_SCENARIOS)[number], RegExp[]> = {
  full_connection_loss: [/^partition:drop \(reset\) via reset_peer on both streams/],
  intermittent_connectivity: [/^flaky \(reset, rate 0\.3\) via reset_peer with toxicity 0\.3/],
  partial_failure: [/^flaky \(close, rate 0\.5\) via limit_data with toxicity 0\.5/],
  connection_recovery: [],
  no_cascading_failures: [/^partition:blackhole via timeout \(0\) on both streams/],
  rapid_reconnect: [/^partition:drop \(close\) via limit_data on both streams/],
};

t.test('the six built-ins run on a --toxiproxy-only server, each naming what it emulated (http probe)', async (t) => {
  const { results } = await runDemo(t, 'http', undefined, undefined, { toxiproxyOnly: true });
  t.same(results.map((r) => r.test_name), [...BUILTIN_SCENARIOS]);
  for (const r of results) {
    const name = r.test_name as (typeof BUILTIN_SCENARIOS)[number];
    t.notMatch(r.error_message ?? '', /not run|run stopped/, `${name} ran: ${r.error_message ?? 'no error'}`);
    t.ok(r.metrics.total_requests > 0, `${name} sent requests (${r.metrics.total_requests})`);
    t.ok(r.ledger.checked, `${name}: ledger checked`);
    t.equal(r.emulated.length, EMULATED[name].length, `${name}: ${JSON.stringify(r.emulated)}`);
    EMULATED[name].forEach((pattern, i) => t.match(r.emulated[i] ?? '', pattern, `${name} names its emulation`));
    t.same(r.ledger.lost, [], `${name}: no acknowledged write missing from the ledger`);
  }
  // Treated as plain Toxiproxy: no /events to time faults from, no /connections to count leaks with.
  t.not(results[0]?.metrics.fault_timing_source, 'proxy-event', 'faults are timed by the harness, not from proxy events');
  t.equal(results[5]?.leaks?.proxy_connections, null, 'the leak check cannot ask the server for its connections');
  t.ok(results.every((r) => r.passed), `every built-in passes: ${results.filter((r) => !r.passed).map((r) => `${r.test_name}: ${r.error_message}`).join('; ')}`);
  t.same(schemaErrors(results), [], 'the results match harness/result.schema.json');
});

t.test('with the tcp probe, the emulated drops cut the connection the probe is using', async (t) => {
  const scenarios = await builtinScenarios(['full_connection_loss', 'rapid_reconnect']);
  const { results } = await runDemo(t, 'tcp', scenarios, undefined, { toxiproxyOnly: true });
  for (const r of results) {
    t.ok(r.passed, `${r.test_name}: ${r.error_message ?? 'passed'}`);
    t.match(r.emulated, [/ via (reset_peer|limit_data) on both streams/], `${r.test_name}: ${JSON.stringify(r.emulated)}`);
    t.ok(r.windows.length > 0 && r.windows.every((w) => w.transport_detection_ms !== null), `${r.test_name}: the probe's socket saw every cut`);
    t.same(r.ledger.lost_writes, [], `${r.test_name}: every write reached the server`);
  }
});
