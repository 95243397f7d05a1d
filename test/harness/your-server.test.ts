/**
 * A server of the user's, not a demo upstream: examples/servers/your-service.mjs (the README's
 * fastify ledger recipe) as a process, the Python example client through `faultline run --client`,
 * once with its ledger and once without.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { NO_LEDGER_NOTE } from '../../harness/notes.js';
import type { ScenarioResult } from '../../harness/result.js';
import { faultline, serverProcess, type CliResult } from '../helpers/cli.js';
import { example, marker } from '../helpers/clients.js';
import { ROOT } from '../helpers/compose.js';

/** Starts your-service.mjs on a free port; resolves with its host:port. */
async function yourService(t: Test): Promise<string> {
  const child = spawn(process.execPath, [join(ROOT, 'examples/servers/your-service.mjs')], { env: { ...process.env, PORT: '0' } });
  const exited = once(child, 'close');
  t.teardown(() => {
    child.kill('SIGKILL');
    return exited;
  });
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on http:\/\/(\S+)/.exec(output);
      if (match) resolve(match[1] as string);
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then(([code]) => reject(new Error(`your-service.mjs exited ${code}: ${output}`)));
  });
}

let url: string;
let service: string;
t.before(async () => {
  [{ url }, service] = await Promise.all([serverProcess(t, ['--seed', '1']), yourService(t)]);
});

/** One CLI run of connection_recovery (one at a time: the scenario names its proxy). */
async function run(t: Test, extra: string[]): Promise<{ cli: CliResult; result: ScenarioResult; html: string }> {
  const out = await mkdtemp(join(tmpdir(), 'faultline-yours-'));
  t.teardown(() => rm(out, { recursive: true, force: true }));
  const cli = await faultline(['run', 'connection_recovery', '--client', `python3 ${example('python-client.py')} ${marker()}`,
    '--url', url, '--upstream', service, '--out-dir', out, '--html', join(out, 'report.html'), ...extra]);
  const file = (await readdir(out)).find((f) => f.endsWith('.json')) as string;
  const [result] = JSON.parse(await readFile(join(out, file), 'utf8')) as ScenarioResult[];
  return { cli, result: result as ScenarioResult, html: await readFile(join(out, 'report.html'), 'utf8') };
}

t.test('your server: with its ledger ({"applied": [{id, count, first_ms}]}) data loss is checked against what it applied', async (t) => {
  const { cli, result } = await run(t, ['--ledger-url', `http://${service}/faultline/ledger`]);
  t.equal(cli.code, 1, 'the Python client gives up the writes refused during the partition', { output: cli.stdout + cli.stderr });
  t.match(result, { data_lost: true, ledger: { checked: true, acknowledged: 10, lost: [], duplicated: [] } });
  t.equal(result.ledger.failed_not_applied.length, 5, 'the 5 refused writes: checked missing on the server');
  t.notOk(result.notes.some((n) => n.startsWith(NO_LEDGER_NOTE)), 'no ledger note');
  const ledger = (await (await fetch(`http://${service}/faultline/ledger`)).json()) as { applied: Array<{ id: string; count: number; first_ms: number }> };
  const mine = ledger.applied.filter((e) => result.timeline.some((r) => r.type === 'request' && r.id === e.id));
  t.equal(mine.length, 10, 'the service\'s own ledger holds the 10 acknowledged writes');
  t.ok(mine.every((e) => e.count === 1 && e.first_ms > 0), 'once each, with first_ms');
});

t.test('your server without a ledger: the reports say plainly that data loss is unchecked on the server side', async (t) => {
  const { cli, result, html } = await run(t, []);
  t.match(result, { ledger: { checked: false } });
  t.ok(result.notes.some((n) => n.startsWith(NO_LEDGER_NOTE)), `JSON notes: ${result.notes.join(' | ')}`);
  t.match(cli.stdout, /Notes:\n {2}no server ledger: data loss unchecked on the server side/, 'console summary');
  t.match(html, /no server ledger: data loss unchecked on the server side/, 'HTML report');
  t.equal(result.ledger.failed_not_applied.length, 5, 'the writes the client said failed count as given up (its answers are all there is)');
});

t.test('a ledger URL that does not serve a ledger leaves the result unchecked, with the reason', async (t) => {
  const { result } = await run(t, ['--ledger-url', `http://${service}/ops/none`]);
  t.match(result, { ledger: { checked: false } });
  t.match(result.notes, [new RegExp(`^server ledger unreadable \\(GET http://${service}/ops/none: HTTP 404\\): data loss unchecked on the server side$`)]);
});
