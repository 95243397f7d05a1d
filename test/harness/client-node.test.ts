/**
 * The Node example client (fetch with its own retry and an outbox) under the six built-in
 * scenarios, through real proxies, with the demo HTTP service's ledger: from code, with
 * `clientProbes(command)` as runScenarios' probe.
 */
import t from 'tap';
import { clientProbes } from '../../harness/probes/client.js';
import { runScenarios } from '../../harness/run-scenarios.js';
import { startServer } from '../../proxy/server.js';
import { example, marker, processesWith } from '../helpers/clients.js';
import { demoUpstream, schemaErrors } from '../helpers/harness.js';

t.test('node example: its retries and outbox lose no write in any of the six scenarios, and the windows say when it saw the faults', async (t) => {
  const server = await startServer({ host: '127.0.0.1', port: 0, seed: '1' });
  t.teardown(() => server.close());
  const upstream = await demoUpstream(t, 'http');
  const tag = marker();
  const results = await runScenarios({
    proxyUrl: server.url,
    probe: clientProbes(`node ${example('node-client.mjs')} ${tag}`),
    upstream: { address: upstream.address, ledger: async () => upstream.ledger() },
    seed: '1',
    sameProcess: true,
  });
  t.same(schemaErrors(results), [], 'the results match harness/result.schema.json');
  for (const r of results) {
    t.ok(r.passed, `${r.test_name}: ${r.error_message ?? 'passed'}`);
    t.equal(r.probe, 'client');
    t.equal(r.retry_attempts, 0, `${r.test_name}: the harness made one attempt per request (its retries are the client's own)`);
    t.match(r.notes, [/^client driven pass-through/], `${r.test_name}: the result says how the client was driven`);
    t.equal(r.client?.policy, 'pass-through');
    for (const [path, report] of Object.entries(r.client?.paths ?? {})) {
      t.match(report, { stopped_by: 'eof', exit_code: 0, failure: null, unanswered: 0 }, `${r.test_name}/${path}: the client exited at stdin EOF`);
    }
    t.same(r.ledger.failed_not_applied, [], `${r.test_name}: no write given up`);
  }
  const [full, , , recovery, cascade, rapid] = results as [(typeof results)[number], unknown, unknown, (typeof results)[number], (typeof results)[number], (typeof results)[number]];
  t.equal(full.client?.budget_ms, 3 * 500 + 50 + 100, 'the budget is the scenario policy\'s: 3 attempts × 500 ms + backoffs');
  t.equal(full.metrics.failed_requests_during_partition, 10, 'full_connection_loss: the 10 writes in the partition failed');
  t.equal(full.ledger.applied_unacknowledged.length, 10, 'and its outbox delivered them after the heal (applied, never acknowledged)');
  const drop = full.windows[0];
  t.equal(drop?.fault, 'partition:drop');
  t.ok(drop?.transport_detection_ms !== null && (drop?.transport_detection_ms ?? Infinity) <= (drop?.detection_ms ?? 0),
    `its "disconnected" event (${drop?.transport_detection_ms} ms) came no later than its failed answer (${drop?.detection_ms} ms)`);
  t.ok((full.client?.paths['primary']?.disconnects ?? 0) >= 1 && (full.client?.paths['primary']?.reconnects ?? 0) >= 1, 'it reported the disconnect and the reconnect');
  t.ok(full.timeline.some((e) => e.type === 'client' && e.event === 'reconnected'), 'the reconnect is on the timeline');
  t.equal(recovery.windows[0]?.fault, 'partition:refuse');
  t.ok((recovery.windows[0]?.recovery_ms ?? Infinity) < 1000, `connection_recovery: recovered ${recovery.windows[0]?.recovery_ms} ms after the heal`);
  t.equal(cascade.windows[0]?.detection_bound, 'client_timeout', 'no_cascading_failures: a black hole is seen only through the client\'s timeout');
  t.equal(cascade.windows[0]?.transport_detection_ms, null, 'and not by its transport');
  t.equal(cascade.paths['secondary']?.faulted, false, 'the second path is never faulted');
  t.equal(cascade.client?.budget_ms, 2 * 500 + 50, 'its budget follows the scenario\'s policy (2 attempts)');
  t.equal(rapid.windows.length, 10, 'rapid_reconnect: ten windows');
  t.equal(rapid.windows.filter((w) => w.detection_ms !== null && w.recovery_ms !== null).length, 10, 'each detected and recovered');
  t.equal(rapid.leaks?.leaked, false, 'nothing leaked');
  t.same(processesWith(tag), [], 'no client process is left');
  t.same(await (await fetch(`${server.url}/proxies`)).json(), {}, 'no proxy is left');
});
