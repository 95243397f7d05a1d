/**
 * Clients that misbehave, through `faultline run --client`: one that lies (acknowledges without
 * sending), one that retries blindly, one that crashes, one that prints garbage, one that never
 * answers. Each ends its scenario with a clear message, soon, and leaves no process or proxy.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { ScenarioResult } from '../../harness/result.js';
import { faultline, serverProcess, type CliResult } from '../helpers/cli.js';
import { example, fixture, marker, processesWith } from '../helpers/clients.js';
import { upstreamProcess } from '../helpers/deploy-processes.js';

let upstream: string;
let url: string;
let dir: string;
t.before(async () => {
  [{ address: upstream }, { url }] = await Promise.all([upstreamProcess(t, ['upstream', 'http', '--port', '0']), serverProcess(t, ['--seed', '1'])]);
  dir = await mkdtemp(join(tmpdir(), 'faultline-broken-'));
});
t.teardown(() => rm(dir, { recursive: true, force: true }));

/** Runs `faultline run --client "node FILE"` (one at a time: a scenario names its proxies); checks nothing is left behind. */
async function run(t: Test, file: string, args: string[]): Promise<{ cli: CliResult; result: ScenarioResult; out: string }> {
  const out = await mkdtemp(join(dir, 'out-'));
  const tag = marker();
  const cli = await faultline(['run', '--client', `node ${file} ${tag}`, '--url', url, '--upstream', upstream,
    '--ledger-url', `http://${upstream}/ledger`, '--out-dir', out, '--html', join(out, 'report.html'), ...args]);
  const results = JSON.parse(await readFile(join(out, (await readdir(out)).find((f) => f.endsWith('.json')) as string), 'utf8')) as ScenarioResult[];
  t.same(processesWith(tag), [], 'no client process is left');
  t.same(await (await fetch(`${url}/proxies`)).json(), {}, 'no proxy is left');
  return { cli, result: results[0] as ScenarioResult, out };
}

t.test('a client that acknowledges without sending: every write it acknowledged is data lost, ids listed', async (t) => {
  const { cli, result, out } = await run(t, example('lying-client.mjs'), ['connection_recovery']);
  t.equal(cli.code, 1);
  t.match(result, { data_lost: true, passed: false, ledger: { checked: true, acknowledged: 15 } });
  const sent = result.timeline.flatMap((e) => (e.type === 'request' ? [e.id] : [])).sort();
  t.equal(sent.length, 15);
  t.same(result.ledger.lost, sent, 'all 15 writes: acknowledged but missing from the server\'s ledger');
  t.match(cli.stdout, /connection_recovery \[client\]: 15\/15 ok, .*ledger: 15 acked, 0 applied-unacked, 0 duplicated, 15 lost/);
  t.match(await readFile(join(out, 'report.html'), 'utf8'), /Writes that did not reach the server \(15\)/, 'the HTML report lists them');
});

t.test('a client that retries blindly: its writes show up as duplicated', async (t) => {
  const scenario = join(dir, 'three_writes.yaml');
  await writeFile(scenario, 'name: three_writes\ntype: ThreeWrites\ntitle: Three writes\nsteps: [{ send: 3 }]\nexpect: { data_lost: false }\n');
  const { cli, result } = await run(t, fixture('double-writer.mjs'), [scenario]);
  t.equal(cli.code, 0, 'nothing lost: it passes', { output: cli.stdout + cli.stderr });
  t.equal(result.ledger.duplicated.length, 3, `applied twice each: ${result.ledger.duplicated.join(', ')}`);
});

t.test('a client that crashes mid-run ends the scenario at once, with its exit code and stderr', async (t) => {
  const { cli, result } = await run(t, fixture('crash-client.mjs'), ['connection_recovery']);
  t.equal(cli.code, 1);
  t.match(result.error_message, /^run stopped: client primary: exited with code 3 during the run; its last stderr line: "fatal: out of cheese"(;|$)/);
  t.equal(result.timeline.filter((e) => e.type === 'request').length, 4, 'three answered, the fourth failed with the client');
  t.ok(result.duration_ms < 5000, `the scenario ended after ${result.duration_ms} ms`);
  t.match(result.client?.paths['primary'], { exit_code: 3, stopped_by: 'itself', stderr: 'fatal: out of cheese' });
  t.match(cli.stderr, /^client connection_recovery\/primary: fatal: out of cheese$/m, 'its stderr is in the run\'s log');
  t.match(cli.stdout, /connection_recovery: run stopped: client primary: exited with code 3/);
});

t.test('a client that prints garbage ends the scenario with the line quoted', async (t) => {
  const { cli, result } = await run(t, fixture('garbage-client.mjs'), ['connection_recovery']);
  t.equal(cli.code, 1);
  t.match(result.error_message, /^run stopped: client primary: wrote a line that is not the protocol \(not JSON\): "Traceback \(most recent call last\): oops"(;|$)/);
  t.equal(result.timeline.filter((e) => e.type === 'request').length, 3, 'two answered, the third stopped the scenario');
  t.ok(result.duration_ms < 5000, `the scenario ended after ${result.duration_ms} ms`);
  t.match(result.client?.paths['primary'], { stopped_by: 'eof' }, 'and the client went at stdin EOF');
});

t.test('a client that never answers (and ignores EOF and SIGTERM) ends the scenario at its first budget and is killed', async (t) => {
  const { cli, result } = await run(t, fixture('silent-client.mjs'), ['connection_recovery', '--timeout-ms', '300', '--client-startup-ms', '500']);
  t.equal(cli.code, 1);
  t.match(result.error_message, /^run stopped: client primary: never answered: no answer to its first operation within \d+ ms \(does it flush stdout after each line\?\): "\{\\"id\\":/);
  const requests = result.timeline.filter((e) => e.type === 'request');
  t.equal(requests.length, 1, 'one operation, then the scenario stopped');
  const took = (requests[0]?.end ?? 0) - (requests[0]?.start ?? 0);
  t.ok(took >= 300 + 250 + 500 - 10 && took < 300 + 250 + 500 + 1000, `after the budget, the grace and the start-up allowance (${took.toFixed(0)} ms)`);
  t.equal(result.client?.budget_ms, 300, '--timeout-ms is the client\'s budget');
  t.match(result.client?.paths['primary'], { stopped_by: 'sigkill', signal: 'SIGKILL', unanswered: 1, stderr: /ignoring SIGTERM/ });
});
