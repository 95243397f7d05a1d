import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { startHttpUpstream } from '../../harness/upstreams/http.js';
import { faultline, serverProcess } from '../helpers/cli.js';

async function tempDir(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'faultline-exit-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const scenario = (name: string, steps: string, expect = '{}'): string => `name: ${name}\ntype: T\ntitle: T\nsteps:\n${steps}\nexpect: ${expect}\n`;

t.test('faultline run: 0 when every scenario met its expectations, 1 when one did not, 2 on bad input', async (t) => {
  const { url } = await serverProcess(t);
  const upstream = await startHttpUpstream();
  t.teardown(() => upstream.close());
  const dir = await tempDir(t);
  const write = async (file: string, text: string): Promise<string> => {
    await writeFile(join(dir, file), text);
    return join(dir, file);
  };
  const good = await write('good.yaml', scenario('good', '  - send: 3', '{ connection_lost: false }'));
  const wrong = await write('wrong.yaml', scenario('wrong', '  - send: 3', '{ connection_lost: true }'));
  const common = ['--probe', 'http', '--upstream', upstream.address, '--ledger-url', upstream.ledgerUrl, '--out-dir', dir, '--quiet'];

  const passed = await faultline(['run', good, '--url', url, ...common]);
  t.equal(passed.code, 0, `all expectations met: exit 0 (${passed.stderr})`);
  const failed = await faultline(['run', good, wrong, '--url', url, ...common]);
  t.equal(failed.code, 1, 'one scenario missed an expectation: exit 1, although the graceful-handling target is met');
  t.match(failed.stdout, /Target \(85% graceful handling\): ✓ MET/);
  t.match(failed.stdout, /wrong: connection_lost was false, expected true/);
  const targetOnly = await faultline(['run', good, wrong, '--url', url, ...common, '--exit-on', 'target']);
  t.equal(targetOnly.code, 0, '--exit-on target keeps the plan’s rule alone');

  const alias = await faultline(['run', good, '--proxy-url', url, ...common]);
  t.equal(alias.code, 0, '--proxy-url is an alias of --url');
  const env = await faultline(['run', good, ...common], { FAULTLINE_URL: url });
  t.equal(env.code, 0, 'FAULTLINE_URL is the default --url');

  const refused = await write('refused.yaml', scenario('refused', "  - send: 1\n  - toxic: { type: latency, name: 'no/slash' }\n  - send: 1"));
  const stopped = await faultline(['run', refused, '--url', url, ...common]);
  t.equal(stopped.code, 1, 'a request the server refuses mid-run fails the scenario');
  t.match(stopped.stdout, /run stopped: POST \/proxies\/[^ ]+\/toxics → HTTP 400: .*name/, 'with the server’s own message');
});

t.test('bad toxic steps stop faultline run with exit 2 before any proxy is created, naming the file, the step and the field', async (t) => {
  const { url } = await serverProcess(t);
  const dir = await tempDir(t);
  const cases: Array<[string, string, RegExp]> = [
    ['type.yaml', '  - send: 1\n  - toxic: { type: nonsense }', /type\.yaml: invalid scenario\n\s+steps\[1\]\.toxic\.type: unknown toxic type "nonsense" \(faultline knows: latency, /],
    ['name.yaml', '  - send: 1\n  - toxic: { type: latency, attributes: { lattency: 100 } }', /name\.yaml: invalid scenario\n\s+steps\[1\]\.toxic\.attributes\.lattency: unknown attribute of latency \(its attributes: latency, jitter/],
    ['value.yaml', '  - toxic: { type: bandwidth, attributes: { rate: fast } }', /value\.yaml: invalid scenario\n\s+steps\[0\]\.toxic\.attributes\.rate: must be a number/],
    ['nested.yaml', '  - repeat: { times: 2, steps: [ { toxic: { type: slicer, attributes: { average_size: -1 } } } ] }', /nested\.yaml: invalid scenario\n\s+steps\[0\]\.repeat\.steps\[0\]\.toxic\.attributes\.average_size: must be >= /],
  ];
  for (const [file, steps, message] of cases) {
    await writeFile(join(dir, file), scenario('bad', steps));
    const result = await faultline(['run', join(dir, file), '--url', url, '--upstream', '127.0.0.1:1', '--probe', 'connect', '--out-dir', dir]);
    t.equal(result.code, 2, `${file}: exit 2`);
    t.match(result.stderr, message, file);
    t.notMatch(result.stdout, /PASS|FAIL/, `${file}: nothing ran`);
  }
  t.same(await (await fetch(`${url}/proxies`)).json(), {}, 'no proxy was created on the server');
  t.same(await readdir(dir).then((files) => files.filter((f) => f.endsWith('.json'))), [], 'no results file was written');
});

t.test('the connect probe is labelled connect; --history writes one invoke and one completion per operation', async (t) => {
  const { url } = await serverProcess(t);
  const upstream = await startHttpUpstream();
  t.teardown(() => upstream.close());
  const dir = await tempDir(t);
  const file = join(dir, 's.yaml');
  await writeFile(file, scenario('labelled', '  - send: 2\n  - partition: { mode: refuse }\n  - send: 1\n  - heal: {}\n  - send: 1'));
  const history = join(dir, 'history.jsonl');
  const run = await faultline(['run', file, '--url', url, '--probe', 'connect', '--upstream', upstream.address, '--attempts', '1', '--no-queue', '--out-dir', dir, '--history', history]);
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout, /labelled \[connect\]/);
  const [json] = (await readdir(dir)).filter((f) => f.endsWith('.json'));
  const [result] = JSON.parse(await readFile(join(dir, json as string), 'utf8')) as Array<{ probe: string }>;
  t.equal(result?.probe, 'connect');
  const ops = (await readFile(history, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { type: string; process: number });
  t.equal(ops.length, 8, '4 operations, each invoked and completed');
  t.same(ops.map((op) => op.type).filter((type) => type !== 'invoke'), ['ok', 'ok', 'fail', 'ok'], 'the refused write failed for certain (no ledger said otherwise)');
});

t.test('faultline demo: 0 when all passed, 1 when a scenario failed, 2 on bad input', async (t) => {
  const dir = await tempDir(t);
  const common = ['--probe', 'tcp', '--out-dir', dir, '--quiet'];
  const passed = await faultline(['demo', 'connection_recovery', ...common]);
  t.equal(passed.code, 0, passed.stderr);
  const failed = await faultline(['demo', 'connection_recovery', ...common, '--attempts', '1', '--no-queue']);
  t.equal(failed.code, 1, 'a fail-fast client loses the writes it gave up: the scenario fails');
  t.match(failed.stdout, /connection_recovery: data_lost was true, expected false/);
  const badFlag = await faultline(['demo', '--probe', 'nope', '--out-dir', dir]);
  t.equal(badFlag.code, 2);
  const missing = await faultline(['demo', join(dir, 'missing.yaml'), '--out-dir', dir]);
  t.equal(missing.code, 2);
  t.match(missing.stderr, /missing\.yaml: cannot read \(ENOENT\)/);
});
