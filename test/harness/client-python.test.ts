/**
 * The Python example client (stdlib http.client, one keep-alive connection, no queue) under the
 * six built-in scenarios with `faultline run --client`: a faultline server process, the demo HTTP
 * service as a process with its ledger at --ledger-url, and one CLI run for all six.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { ScenarioResult } from '../../harness/result.js';
import { faultline, serverProcess } from '../helpers/cli.js';
import { example, marker, processesWith } from '../helpers/clients.js';
import { upstreamProcess } from '../helpers/deploy-processes.js';
import { schemaErrors } from '../helpers/harness.js';

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
