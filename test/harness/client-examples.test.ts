/**
 * The example clients under the six built-in scenarios, each through real proxies in front of a
 * demo service with its ledger, the three side by side (their scenarios mostly wait):
 * - Python (stdlib http.client, one keep-alive connection, no queue), with `faultline run --client`
 *   against a faultline server process and the demo HTTP service as a process: one CLI run;
 * - Node (fetch with its own retry and an outbox), from code: `clientProbes(command)` as
 *   runScenarios' probe;
 * - MCP (the official SDK's Client over Streamable HTTP, a new session after a failure, no retry),
 *   from code, in front of the demo MCP server.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { clientProbes } from '../../harness/probes/client.js';
import type { ScenarioResult } from '../../harness/result.js';
import { runScenarios } from '../../harness/run-scenarios.js';
import { startServer } from '../../proxy/api/server.js';
import { faultline, serverProcess } from '../helpers/cli.js';
import { example, marker, processesWith } from '../helpers/clients.js';
import { upstreamProcess } from '../helpers/deploy-processes.js';
import { demoUpstream, schemaErrors } from '../helpers/harness.js';

t.jobs = 3;

t.test('python example: faultline run --client runs the six scenarios; its given-up writes are data loss, ids listed', async (t) => {
  const [{ url }, { address }] = await Promise.all([serverProcess(t, ['--seed', '1']), upstreamProcess(t, ['upstream', 'http', '--port', '0'])]);
  const out = await mkdtemp(join(tmpdir(), 'faultline-python-'));
  t.teardown(() => rm(out, { recursive: true, force: true }));
  const tag = marker();
  const run = await faultline([
    'run', '--client', `python3 ${example('python-client.py')} ${tag}`, '--url', url, '--upstream', address,
    '--ledger-url', `http://${address}/ledger`, '--out-dir', out, '--html', join(out, 'report.html'), '--junit', join(out, 'junit.xml'),
  ]);
  t.equal(run.code, 1, 'exit 1: scenarios failed (writes were given up)', { output: run.stdout + run.stderr });
  t.match(run.stdout, /=== Network Partition Test Summary ===\n\nTotal Tests: 6\n/);
  t.match(run.stdout, /Notes:\n {2}client driven pass-through: 1 attempt per operation/, 'the summary says the client was driven pass-through');
  t.match(run.stdout, /full_connection_loss \[client\]: 10\/20 ok, retries 0, queued 0; ledger: 10 acked, 0 applied-unacked, 0 duplicated, 10 lost/);
  t.match(run.stdout, /client primary: exit 0 after stdin closed; 20 answered, 0 late, 0 unanswered/);
  const file = (await readdir(out)).find((f) => f.endsWith('.json')) as string;
  const results = JSON.parse(await readFile(join(out, file), 'utf8')) as ScenarioResult[];
  t.same(schemaErrors(results), [], 'the results match harness/result.schema.json');
  t.same(results.map((r) => r.test_name), ['full_connection_loss', 'intermittent_connectivity', 'partial_failure', 'connection_recovery', 'no_cascading_failures', 'rapid_reconnect']);
  for (const r of results) {
    t.equal(r.probe, 'client');
    t.ok(r.ledger.checked, `${r.test_name}: ledger checked`);
    t.equal(r.cascading_failure, false, `${r.test_name}: no cascade`);
    const failedWrites = r.timeline.filter((e) => e.type === 'request' && e.outcome !== 'ok').map((e) => (e as { id: string }).id).sort();
    const accounted = [...r.ledger.failed_not_applied, ...r.ledger.applied_unacknowledged].sort();
    t.same(accounted, failedWrites, `${r.test_name}: every failed write is either given up (data lost) or was applied anyway`);
    t.equal(r.data_lost, r.ledger.failed_not_applied.length > 0, `${r.test_name}: data_lost = ${r.data_lost}`);
    t.same(r.ledger.lost, [], `${r.test_name}: nothing it acknowledged is missing`);
  }
  for (const r of [results[0], results[3], results[4], results[5]] as ScenarioResult[]) {
    t.equal(r.graceful_degradation, true, `${r.test_name}: graceful (enough served, none hung)`);
  }
  const [full, , , recovery, cascade, rapid] = results as [ScenarioResult, ScenarioResult, ScenarioResult, ScenarioResult, ScenarioResult, ScenarioResult];
  const ids = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => `-full_connection_loss-primary-${from + i}`);
  t.same(full.ledger.failed_not_applied.map((id) => id.slice(id.indexOf('-'))), ids(6, 15).sort(), 'full_connection_loss: exactly the 10 writes sent into the partition');
  t.match(full, { connection_lost: true, recovery_success: true, data_lost: true, passed: false });
  const drop = full.windows[0];
  t.ok(drop && drop.detection_ms !== null && drop.transport_detection_ms !== null && drop.transport_detection_ms <= drop.detection_ms,
    `drop: detected at ${drop?.detection_ms} ms, its "disconnected" at ${drop?.transport_detection_ms} ms`);
  t.ok((drop?.recovery_ms ?? Infinity) < 1000, `recovered ${drop?.recovery_ms} ms after the heal`);
  t.match(recovery, { connection_lost: true, recovery_success: true, data_lost: true });
  t.equal(recovery.ledger.failed_not_applied.length, 5, 'connection_recovery: the 5 refused writes');
  t.equal(cascade.windows[0]?.detection_bound, 'client_timeout', 'no_cascading_failures: the black hole is seen through its own timeout');
  t.equal(cascade.windows[0]?.transport_detection_ms, null, 'and not by its transport');
  t.equal(rapid.windows.length, 10, 'rapid_reconnect: ten windows');
  t.equal(rapid.windows.filter((w) => w.detection_ms !== null).length, 10, 'each detected');
  t.equal(rapid.leaks?.leaked, false, 'nothing leaked');

  const html = await readFile(join(out, 'report.html'), 'utf8');
  t.match(html, /client driven pass-through/, 'the HTML report carries the notes');
  t.match(html, new RegExp(full.ledger.failed_not_applied[0] as string), 'and lists the lost ids');
  t.match(await readFile(join(out, 'junit.xml'), 'utf8'), /client primary: exit 0 after stdin closed/, 'JUnit carries the client\'s account');
  t.same(processesWith(tag), [], 'no client process is left');
  t.same(await (await fetch(`${url}/proxies`)).json(), {}, 'no proxy is left');
});

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
  t.equal(cascade.cascading_failure, false, 'and unaffected', { failed: cascade.timeline.filter((e) => e.type === 'request' && e.outcome !== 'ok') });
  t.equal(rapid.windows.length, 10, 'rapid_reconnect: ten windows');
  t.equal(rapid.windows.filter((w) => w.detection_ms !== null && w.recovery_ms !== null).length, 10, 'each detected and recovered');
  t.same(processesWith(tag), [], 'no client process is left');
  t.same(await (await fetch(`${server.url}/proxies`)).json(), {}, 'no proxy is left');
});
