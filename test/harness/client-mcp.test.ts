/**
 * The MCP example client (the official SDK's Client over Streamable HTTP, a new session after a
 * failure, no retry) under the six built-in scenarios, through real proxies in front of the demo
 * MCP server and its ledger.
 */
import t from 'tap';
import { clientProbes } from '../../harness/probes/client.js';
import type { ScenarioResult } from '../../harness/result.js';
import { runScenarios } from '../../harness/run-scenarios.js';
import { startServer } from '../../proxy/server.js';
import { example, marker, processesWith } from '../helpers/clients.js';
import { demoUpstream, schemaErrors } from '../helpers/harness.js';

t.test('mcp example: the SDK client under the six scenarios; the ledger holds exactly what it acknowledged', async (t) => {
  const server = await startServer({ host: '127.0.0.1', port: 0, seed: '1' });
  t.teardown(() => server.close());
  const upstream = await demoUpstream(t, 'mcp');
  const tag = marker();
  const results = await runScenarios({
    proxyUrl: server.url,
    probe: clientProbes(`node ${example('mcp-client.mjs')} ${tag}`),
    upstream: { address: upstream.address, ledger: async () => upstream.ledger() },
    seed: '1',
    sameProcess: true,
  });
  t.same(schemaErrors(results), [], 'the results match harness/result.schema.json');
  for (const r of results) {
    t.equal(r.probe, 'client');
    t.ok(r.ledger.checked, `${r.test_name}: ledger checked`);
    t.equal(r.error_message?.includes('run stopped'), false, `${r.test_name}: the client kept to the protocol`);
    t.same(r.ledger.lost, [], `${r.test_name}: every write it acknowledged is in the server's ledger`);
    t.same(r.ledger.duplicated, [], `${r.test_name}: and none twice (it does not retry)`);
    const okWrites = r.timeline.filter((e) => e.type === 'request' && e.outcome === 'ok').length;
    t.equal(r.ledger.acknowledged, okWrites, `${r.test_name}: ${okWrites} acknowledged`);
    t.equal(r.data_lost, r.ledger.failed_not_applied.length > 0, `${r.test_name}: data_lost = ${r.data_lost} (${r.ledger.failed_not_applied.length} given up)`);
    for (const [path, report] of Object.entries(r.client?.paths ?? {})) t.match(report, { stopped_by: 'eof', failure: null }, `${r.test_name}/${path}: exited at stdin EOF`);
  }
  const [full, , , recovery, cascade, rapid] = results as [ScenarioResult, ScenarioResult, ScenarioResult, ScenarioResult, ScenarioResult, ScenarioResult];
  t.match(full, { connection_lost: true, recovery_success: true, data_lost: true, cascading_failure: false });
  t.equal(full.ledger.failed_not_applied.length, 10, 'full_connection_loss: the 10 writes sent into the partition were given up');
  const drop = full.windows[0];
  t.ok(drop && drop.transport_detection_ms !== null && drop.transport_detection_ms <= (drop.detection_ms ?? 0),
    `the SDK reported the lost stream (${drop?.transport_detection_ms} ms) no later than the first failed call (${drop?.detection_ms} ms)`);
  t.ok((full.client?.paths['primary']?.reconnects ?? 0) >= 1, 'and a new session after the heal');
  t.match(recovery, { connection_lost: true, recovery_success: true });
  t.equal(recovery.windows[0]?.fault, 'partition:refuse');
  t.equal(cascade.windows[0]?.detection_bound, 'client_timeout', 'no_cascading_failures: the black hole is seen through the call timeout');
  t.equal(cascade.paths['secondary']?.faulted, false, 'the second path is never faulted');
  t.equal(cascade.cascading_failure, false, 'and unaffected');
  t.equal(rapid.windows.length, 10, 'rapid_reconnect: ten windows');
  t.equal(rapid.windows.filter((w) => w.detection_ms !== null && w.recovery_ms !== null).length, 10, 'each detected and recovered');
  t.same(processesWith(tag), [], 'no client process is left');
  t.same(await (await fetch(`${server.url}/proxies`)).json(), {}, 'no proxy is left');
});
