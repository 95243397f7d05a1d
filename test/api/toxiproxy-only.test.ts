import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { capabilitiesOf } from '../../harness/capabilities.js';
import { ApiClient } from '../../protocol/api-client.js';
import { TOXIPROXY_TOXICS } from '../../protocol/toxiproxy.js';
import { readConfig } from '../../proxy/config.js';
import { isFaultlineError } from '../../proxy/errors.js';
import { toxicDefinitions } from '../../proxy/toxics/catalog.js';
import { apiServer, call, type Answer } from '../helpers/api.js';
import { faultline, serverProcess } from '../helpers/cli.js';
import { dial, echoServer, portOf, roundTrip } from '../helpers/net.js';

/** Toxiproxy 2.12's answer to a toxic type it does not know (read from its source, checked with curl against 2.12.0). */
const INVALID_TYPE = '{"error":"invalid toxic type","status":400}\n';
const NOT_FOUND = '404 page not found\n';

/** faultline's toxic types that Toxiproxy 2.12 does not have. */
const FAULTLINE_ONLY_TYPES = toxicDefinitions()
  .map((d) => d.type)
  .filter((type) => !TOXIPROXY_TOXICS.has(type));

const toxiproxyOnly = async (t: Test, metrics?: boolean) => {
  const server = await apiServer(t, { toxiproxyOnly: true, ...(metrics === undefined ? {} : { metrics }) });
  const created = await call(server, 'POST', '/proxies', { name: 'p', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' });
  t.equal(created.status, 201);
  return server;
};

function isGoError(t: Test, res: Answer, status: number, body: string, what: string): void {
  t.equal(res.status, status, `${what}: status ${status}`);
  t.equal(res.text, body, `${what}: Toxiproxy's body`);
  t.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8', `${what}: Go's content type`);
  t.equal(res.headers.get('x-content-type-options'), 'nosniff', `${what}: nosniff`);
}

t.test('GET /version answers exactly what Toxiproxy 2.12.0 answers, without faultline', async (t) => {
  const server = await toxiproxyOnly(t);
  const res = await call(server, 'GET', '/version');
  t.equal(res.status, 200);
  t.equal(res.headers.get('content-type'), 'application/json;charset=utf-8');
  t.equal(res.text, '{"version": "2.12.0"}\n');
});

t.test("faultline's own toxic types are refused the way Toxiproxy refuses an unknown type, and nothing is added", async (t) => {
  const server = await toxiproxyOnly(t);
  t.ok(FAULTLINE_ONLY_TYPES.includes('drop') && FAULTLINE_ONLY_TYPES.includes('blackhole') && FAULTLINE_ONLY_TYPES.includes('flaky'));
  for (const type of FAULTLINE_ONLY_TYPES) {
    for (const stream of ['upstream', 'downstream']) {
      const res = await call(server, 'POST', '/proxies/p/toxics', { type, stream, attributes: {} });
      isGoError(t, res, 400, INVALID_TYPE, `${type} ${stream}`);
    }
  }
  isGoError(t, await call(server, 'POST', '/proxies/p/toxics', { type: 'down' }), 400, INVALID_TYPE, 'down (not a type in Toxiproxy either)');
  isGoError(t, await call(server, 'POST', '/proxies/p/toxics', { stream: 'upstream' }), 400, INVALID_TYPE, 'no type');
  const stream = await call(server, 'POST', '/proxies/p/toxics', { type: 'drop', stream: 'sideways' });
  isGoError(t, stream, 400, '{"error":"stream was invalid, can be either upstream or downstream","status":400}\n', 'the stream is checked first, as Go does');
  t.same((await call(server, 'GET', '/proxies/p/toxics')).json, [], 'no toxic was added');
});

t.test("every Toxiproxy toxic type is still served", async (t) => {
  const server = await toxiproxyOnly(t);
  for (const [type, attributes] of TOXIPROXY_TOXICS) {
    // slicer's average_size 0 would make Go recurse forever; faultline refuses it (a deliberate difference).
    const given = type === 'slicer' ? { average_size: 64 } : {};
    const res = await call(server, 'POST', '/proxies/p/toxics', { type, stream: 'upstream', attributes: given });
    t.equal(res.status, 200, type);
    t.same(Object.keys(res.json.attributes), attributes, `${type} echoes exactly Toxiproxy's attributes`);
  }
});

t.test("latency's distribution is ignored like any attribute Toxiproxy does not know, on create and on update", async (t) => {
  const server = await toxiproxyOnly(t);
  const created = await call(server, 'POST', '/proxies/p/toxics', { name: 'lat', type: 'latency', attributes: { latency: 100, jitter: 10, distribution: 'pareto' } });
  t.equal(created.status, 200);
  t.equal(created.text, '{"attributes":{"latency":100,"jitter":10},"name":"lat","type":"latency","stream":"downstream","toxicity":1}');
  const updated = await call(server, 'POST', '/proxies/p/toxics/lat', { attributes: { distribution: 'normal', latency: 50 } });
  t.equal(updated.text, '{"attributes":{"latency":50,"jitter":10},"name":"lat","type":"latency","stream":"downstream","toxicity":1}');
  const bogus = await call(server, 'PATCH', '/proxies/p/toxics/lat', { attributes: { distribution: 'bogus' } });
  t.equal(bogus.status, 200, 'a value faultline would refuse is not even read');
  t.same(bogus.json.attributes, { latency: 50, jitter: 10 });
  const native = await apiServer(t);
  await call(native, 'POST', '/proxies', { name: 'p', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' });
  const refused = await call(native, 'POST', '/proxies/p/toxics', { type: 'latency', attributes: { distribution: 'bogus' } });
  t.equal(refused.status, 400, 'while a faultline server checks it');
});

t.test('a toxic\'s clients selector is ignored like any field Toxiproxy does not know: the toxic acts on every connection', async (t) => {
  const server = await apiServer(t, { toxiproxyOnly: true });
  const upstream = await echoServer(t);
  const proxy = await call(server, 'POST', '/proxies', { name: 'p', listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstream}` });
  const nobody = { addresses: ['10.9.9.9'] };
  const created = await call(server, 'POST', '/proxies/p/toxics', { name: 'lat', type: 'latency', attributes: { latency: 150 }, clients: nobody });
  t.equal(created.status, 200);
  t.equal(created.json.clients, undefined, 'not echoed');
  const socket = await dial(t, portOf(proxy.json.listen));
  const took = await roundTrip(socket, 'x');
  t.ok(took >= 140, `a selector that picks no one still delays this connection (${took.toFixed(0)} ms)`);
  const bad = await call(server, 'POST', '/proxies/p/toxics/lat', { clients: { fraction: 'half' }, attributes: { latency: 20 } });
  t.equal(bad.status, 200, 'not even checked');
  t.equal(bad.text, '{"attributes":{"latency":20,"jitter":0},"name":"lat","type":"latency","stream":"downstream","toxicity":1}');
  const native = await apiServer(t);
  await call(native, 'POST', '/proxies', { name: 'p', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' });
  const scoped = await call(native, 'POST', '/proxies/p/toxics', { type: 'latency', clients: nobody });
  t.match(scoped.json.clients, nobody, 'while a faultline server keeps it');
});

t.test("faultline's own routes are Go's plain-text 404 for every method, and /metrics too unless asked for", async (t) => {
  const server = await toxiproxyOnly(t);
  const paths = ['/events', '/events?proxy=p', '/events/mark', '/toxics', '/proxies/p/connections', '/proxies/p/connections/1', '/metrics'];
  for (const path of paths) {
    for (const method of ['GET', 'POST', 'DELETE']) {
      const res = await call(server, method, path);
      t.equal(res.status, 404, `${method} ${path}`);
      t.equal(res.text, NOT_FOUND);
      t.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
    }
  }
  const withMetrics = await toxiproxyOnly(t, true);
  const metrics = await call(withMetrics, 'GET', '/metrics');
  t.equal(metrics.status, 200, 'served with metrics on (toxiproxy-server -proxy-metrics)');
  t.match(metrics.text, /toxiproxy_proxy_received_bytes_total/);
  t.equal((await call(withMetrics, 'GET', '/events')).status, 404, 'still no faultline routes');
});

t.test('POST /proxies ignores toxics, as Toxiproxy does; errors are text/plain as Go sends them', async (t) => {
  const server = await toxiproxyOnly(t);
  const res = await call(server, 'POST', '/proxies', { name: 'q', listen: '127.0.0.1:0', upstream: '127.0.0.1:1', toxics: [{ type: 'latency' }] });
  t.equal(res.status, 201);
  t.same(res.json.toxics, []);
  isGoError(t, await call(server, 'GET', '/proxies/nope'), 404, '{"error":"proxy not found","status":404}\n', 'unknown proxy');
  isGoError(t, await call(server, 'POST', '/proxies', { name: 'p', upstream: 'x:1' }), 409, '{"error":"proxy already exists","status":409}\n', 'existing proxy');
  isGoError(t, await call(server, 'GET', '/proxies/p/toxics/none'), 404, '{"error":"toxic not found","status":404}\n', 'unknown toxic');
});

t.test('the harness sees a --toxiproxy-only server as plain Toxiproxy', async (t) => {
  const server = await toxiproxyOnly(t);
  const caps = await capabilitiesOf(new ApiClient(server.url));
  t.equal(caps.faultline, false);
  t.equal(caps.server, 'Toxiproxy 2.12.0');
  t.same([...caps.toxics.keys()], [...TOXIPROXY_TOXICS.keys()]);
  const native = await capabilitiesOf(new ApiClient((await apiServer(t)).url));
  t.equal(native.faultline, true, 'and a faultline server as faultline');
});

t.test('a --toxiproxy-only config file may only hold Toxiproxy toxic types and attributes', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'faultline-'));
  const file = join(dir, 'config.json');
  const cases: Array<[unknown, RegExp]> = [
    [{ type: 'drop' }, /proxy 1 \("a"\): toxics\[0\]\.type: "drop" is not a Toxiproxy toxic type \(the server runs --toxiproxy-only\)/],
    [{ type: 'latency', attributes: { distribution: 'pareto' } }, /toxics\[0\]\.attributes\.distribution: unknown attribute of latency/],
    [{ type: 'latency', clients: { fraction: 0.5 } }, /toxics\[0\]\.clients: a faultline field \(the server runs --toxiproxy-only\)/],
  ];
  for (const [toxic, message] of cases) {
    await writeFile(file, JSON.stringify([{ name: 'a', upstream: '127.0.0.1:1', toxics: [toxic] }]));
    t.same((await readConfig(file)).length, 1, `${JSON.stringify(toxic)} is fine on a faultline server`);
    const err = await readConfig(file, true).catch((e: unknown) => e);
    t.ok(isFaultlineError(err) && err.code === 'ERR_CONFIG', 'ERR_CONFIG');
    t.match((err as Error).message, message);
  }
  await writeFile(file, JSON.stringify([{ name: 'a', upstream: '127.0.0.1:1', toxics: [{ type: 'drop' }] }]));
  const result = await faultline(['server', '--port', '0', '--toxiproxy-only', '--config', file]);
  t.equal(result.code, 2, 'the server refuses to start with it');
  t.match(result.stderr, /"drop" is not a Toxiproxy toxic type/);
});

t.test('faultline server --toxiproxy-only: Toxiproxy answers from the CLI, /metrics with -proxy-metrics', async (t) => {
  const plain = await serverProcess(t, ['--toxiproxy-only', '-port=0']);
  t.equal(await (await fetch(`${plain.url}/version`)).text(), '{"version": "2.12.0"}\n');
  t.equal((await fetch(`${plain.url}/metrics`)).status, 404);
  const metrics = await serverProcess(t, ['--toxiproxy-only', '-port=0', '-proxy-metrics']);
  t.equal((await fetch(`${metrics.url}/metrics`)).status, 200);
  t.equal((await fetch(`${metrics.url}/toxics`)).status, 404);
});
