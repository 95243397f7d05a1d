import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { faultline, serverProcess } from '../helpers/cli.js';
import { assertTiming, watchLateness } from '../helpers/lateness.js';
import { dial, echoServer, portOf, roundTrip } from '../helpers/net.js';

async function tempFile(name: string, content: string): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'faultline-')), name);
  await writeFile(file, content);
  return file;
}

t.test('toxiproxy-server flags work unchanged (-host, -port=, -seed)', async (t) => {
  const { url } = await serverProcess(t, ['-host', '127.0.0.1', '-port=0', '-seed', '7']);
  const version = await (await fetch(`${url}/version`)).json();
  t.match(version, { version: '2.12.0', faultline: /^\d+\.\d+\.\d+/ });
});

t.test('--config creates the proxies with their toxics before the API answers', async (t) => {
  const upstream = await echoServer(t);
  const config = await tempFile(
    'config.json',
    JSON.stringify([
      {
        name: 'slow',
        listen: '127.0.0.1:0',
        upstream: `127.0.0.1:${upstream}`,
        toxics: [{ type: 'latency', stream: 'downstream', attributes: { latency: 120 } }],
      },
      { name: 'off', listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstream}`, enabled: false },
    ]),
  );
  const { url } = await serverProcess(t, ['--config', config]);
  const proxies = (await (await fetch(`${url}/proxies`)).json()) as Record<string, { toxics: unknown[]; enabled: boolean; listen: string }>;
  t.same(Object.keys(proxies), ['off', 'slow']);
  t.same(proxies['slow']?.toxics, [{ attributes: { latency: 120, jitter: 0 }, name: 'latency_downstream', type: 'latency', stream: 'downstream', toxicity: 1 }]);
  t.equal(proxies['off']?.enabled, false);
  const socket = await dial(t, portOf(proxies['slow']?.listen ?? ''));
  t.ok((await roundTrip(socket, 'x')) >= 119, 'the config toxic is live');
});

t.test('a bad config stops start-up with exit 2, naming the file, the entry and the field', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['[{"name":"a","upstream":"127.0.0.1:1","toxics":[{"type":"latency","attributes":{"latency":-1}}]}]', /proxy 1 \("a"\): toxics\[0\]\.attributes\.latency: .*>= 0/],
    ['[{"name":"a","upstream":"127.0.0.1:1"},{"name":"b"}]', /proxy 2 \("b"\): upstream/],
    ['[{"name":"a","upstream":"127.0.0.1:1","toxics":[{"type":"latency","attributes":{"latancy":5}}]}]', /proxy 1 \("a"\): toxics\[0\]\.attributes\.latancy: unknown attribute/],
    ['[{"name":"a","upstream":"127.0.0.1:1","surprise":1}]', /proxy 1 \("a"\): .*surprise/],
    ['{"name":"a"}', /must be a JSON array/],
    ['[{"name":', /not valid JSON/],
  ];
  for (const [content, message] of cases) {
    const file = await tempFile('bad.json', content);
    const result = await faultline(['server', '--port', '0', '--config', file]);
    t.equal(result.code, 2, `exit 2 for ${content}`);
    t.match(result.stderr, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: ${message.source}`), result.stderr);
  }
  const missing = await faultline(['server', '--port', '0', '--config', '/nonexistent/config.json']);
  t.equal(missing.code, 2);
  t.match(missing.stderr, /\/nonexistent\/config\.json: cannot read \(ENOENT\)/);
});

t.test('SIGTERM closes listeners and connections and exits 0; the port can be used again at once', async (t) => {
  const upstream = await echoServer(t);
  const first = await serverProcess(t);
  const port = Number(new URL(first.url).port);
  const created = (await (await fetch(`${first.url}/proxies`, {
    method: 'POST',
    body: JSON.stringify({ name: 'p', listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstream}` }),
  })).json()) as { listen: string };
  const socket = await dial(t, portOf(created.listen));
  await roundTrip(socket, 'x');
  const late = watchLateness(t);
  const start = performance.now();
  first.child.kill('SIGTERM');
  t.equal(await first.exited, 0, 'exit code 0');
  assertTiming(t, performance.now() - start, 0, 5000, late, 'exited (no 30 s graceful wait)');
  const again = await serverProcess(t, ['--port', String(port)]);
  t.equal(new URL(again.url).port, String(port), 'a second start on the same port works');
});

t.test('--seed really seeds: two servers with the same seed pick the same connections', async (t) => {
  const upstream = await echoServer(t);
  const patterns: string[] = [];
  for (const seed of ['42', '42']) {
    const { url } = await serverProcess(t, ['--seed', seed]);
    const post = (path: string, body: unknown) =>
      fetch(url + path, { method: 'POST', body: JSON.stringify(body) }).then((r) => r.json() as Promise<{ listen: string }>);
    const proxy = await post('/proxies', { name: 'p', listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstream}` });
    await post('/proxies/p/toxics', { name: 'coin', type: 'noop', toxicity: 0.5 });
    for (let i = 0; i < 16; i++) await roundTrip(await dial(t, portOf(proxy.listen)), 'x');
    const connections = (await (await fetch(`${url}/proxies/p/connections`)).json()) as Array<{ toxics: { downstream: string[] } }>;
    patterns.push(connections.map((c) => (c.toxics.downstream.includes('coin') ? '1' : '0')).join(''));
  }
  t.equal(patterns[0], patterns[1], `same selection: ${patterns[0]}`);
  t.match(patterns[0], /1/, 'some selected');
  t.match(patterns[0], /0/, 'some not');
});

t.test('binding the API beyond loopback warns', async (t) => {
  const { output } = await serverProcess(t, ['--host', '0.0.0.0']);
  t.match(output(), /reachable from other machines/);
});

t.test('an unknown toxic attribute is logged once as a warning naming it; --strict refuses it', async (t) => {
  const body = JSON.stringify({ type: 'latency', attributes: { lattency: 100 } });
  const lenient = await serverProcess(t);
  await fetch(`${lenient.url}/proxies`, { method: 'POST', body: JSON.stringify({ name: 'web', listen: '127.0.0.1:0', upstream: 'x:1' }) });
  t.equal((await fetch(`${lenient.url}/proxies/web/toxics`, { method: 'POST', body })).status, 200);
  const warning = /"level":40[^\n]*"toxic":"latency_downstream","toxic_type":"latency","attributes":\["lattency"\][^\n]*toxic attributes ignored/;
  for (let waited = 0; waited < 5000 && !warning.test(lenient.output()); waited += 50) await new Promise((r) => setTimeout(r, 50));
  t.match(lenient.output(), warning, 'one warn-level line names the attribute and the toxic');
  t.equal(lenient.output().match(/toxic attributes ignored/g)?.length, 1, 'once');

  const strict = await serverProcess(t, ['--strict']);
  await fetch(`${strict.url}/proxies`, { method: 'POST', body: JSON.stringify({ name: 'web', listen: '127.0.0.1:0', upstream: 'x:1' }) });
  const refused = await fetch(`${strict.url}/proxies/web/toxics`, { method: 'POST', body });
  t.equal(refused.status, 400);
  t.match(await refused.json(), { error: /^bad request body: attributes\.lattency: unknown attribute/, status: 400 });
});
