import { createServer, type Socket } from 'node:net';
import t, { type Test } from 'tap';
import type { RunningServer } from '../../proxy/api/server.js';
import { apiServer, call } from '../helpers/api.js';
import { dial, echoServer, listen, portOf, roundTrip } from '../helpers/net.js';

/**
 * Everything a client can observe of the server: every proxy (listen, upstream, enabled, toxics),
 * each proxy's live connections, and the proxy and toxic metrics with their labels and values.
 */
async function snapshot(server: RunningServer): Promise<unknown> {
  const proxies = (await call(server, 'GET', '/proxies')).text;
  const connections: Record<string, unknown> = {};
  for (const name of Object.keys(JSON.parse(proxies))) {
    connections[name] = (await call(server, 'GET', `/proxies/${encodeURIComponent(name)}/connections`)).json;
  }
  const metrics = (await call(server, 'GET', '/metrics')).text.split('\n').filter((l) => /^(toxiproxy|faultline)_/.test(l));
  return { proxies: JSON.parse(proxies), connections, metrics };
}

/** A port on 127.0.0.1 that another server holds for the test's length. */
async function takenPort(t: Test): Promise<number> {
  return listen(t, createServer());
}

/** Holds 127.0.0.1:`port` with another server for the test's length. */
async function occupy(t: Test, port: number): Promise<void> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
}

interface Setup {
  server: RunningServer;
  /** `pa`: enabled, a toxic, one live connection `live` through it. */
  live: Socket;
  paPort: number;
  taken: number;
}

/** A server with `pa` (enabled, toxic, live connection), `pb` (disabled, its stored port now taken) and `pc` (disabled). */
async function setUp(t: Test): Promise<Setup> {
  const server = await apiServer(t);
  const upstream = await echoServer(t);
  const pa = await call(server, 'POST', '/proxies', { name: 'pa', listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstream}` });
  await call(server, 'POST', '/proxies/pa/toxics', { name: 'lag', type: 'latency', attributes: { latency: 1 } });
  const paPort = portOf(pa.json.listen);
  const live = await dial(t, paPort);
  await roundTrip(live, 'hello');
  // pb's stored address is taken once it is disabled; pc is disabled with a free one.
  const pb = await call(server, 'POST', '/proxies', { name: 'pb', listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstream}` });
  await call(server, 'POST', '/proxies/pb', { enabled: false });
  await occupy(t, portOf(pb.json.listen));
  await call(server, 'POST', '/proxies', { name: 'pc', listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstream}`, enabled: false });
  return { server, live, paPort, taken: await takenPort(t) };
}

/** Sends each request, expects its status, and checks the server's whole state is the same after. */
async function rejectsUnchanged(t: Test, setup: Setup, requests: Array<[number, string, string, unknown?]>): Promise<void> {
  const { server } = setup;
  const before = await snapshot(server);
  for (const [status, method, path, body] of requests) {
    const res = await call(server, method, path, body);
    t.equal(res.status, status, `${method} ${path} ${body === undefined ? '' : JSON.stringify(body)?.slice(0, 80)} → ${status}`);
    if (status !== 405) t.equal(typeof res.json?.error, 'string', 'with an error message');
    t.same(await snapshot(server), before, 'and the whole state is unchanged');
  }
  t.ok((await roundTrip(setup.live, 'still')) >= 0, "pa's live connection still carries data");
  t.ok((await roundTrip(await dial(t, setup.paPort), 'new')) >= 0, "pa's port still accepts");
}

t.test('a PATCH whose listen cannot bind leaves the proxy as it was (address, enabled, connections, metric labels)', async (t) => {
  const setup = await setUp(t);
  const { server, taken, paPort } = setup;
  const before = await snapshot(server);
  const res = await call(server, 'PATCH', '/proxies/pa', { listen: `127.0.0.1:${taken}` });
  t.equal(res.status, 500);
  t.equal(res.json.error, `listen tcp 127.0.0.1:${taken}: bind: address already in use`);
  t.same(await snapshot(server), before, 'state unchanged');
  const pa = (await call(server, 'GET', '/proxies/pa')).json;
  t.same({ listen: pa.listen, enabled: pa.enabled }, { listen: `127.0.0.1:${paPort}`, enabled: true });
  const listeners: string[] = (await call(server, 'GET', '/metrics')).text.match(/listener="[^"]+"/g) ?? [];
  t.notOk(listeners.includes(`listener="127.0.0.1:${taken}"`), 'no metric carries the address that failed');
  t.ok((await roundTrip(setup.live, 'still')) >= 0, 'the live connection survives');
  t.ok((await roundTrip(await dial(t, paPort), 'new')) >= 0, 'the old port still accepts');
  const again = await call(server, 'POST', '/proxies/pa', { enabled: true });
  t.equal(again.status, 200, 're-enabling is a no-op, not a failed bind');
});

t.test('proxy updates that fail change nothing: listen, enable, body', async (t) => {
  const setup = await setUp(t);
  const { taken } = setup;
  await rejectsUnchanged(t, setup, [
    [500, 'PATCH', '/proxies/pa', { listen: `localhost:${taken}` }],
    [500, 'POST', '/proxies/pa', { listen: `127.0.0.1:${taken}`, upstream: '127.0.0.1:1' }],
    [500, 'PATCH', '/proxies/pa', { listen: 'nowhere' }],
    [500, 'PATCH', '/proxies/pa', { listen: '127.0.0.1:99999' }],
    [500, 'PATCH', '/proxies/pb', { enabled: true }],
    [500, 'PATCH', '/proxies/pc', { enabled: true, listen: `127.0.0.1:${taken}` }],
    [500, 'PATCH', '/proxies/pc', { enabled: true, listen: `127.0.0.1:${taken}`, upstream: '127.0.0.1:2' }],
    [400, 'PATCH', '/proxies/pa', null],
    [400, 'PATCH', '/proxies/pa', [{ enabled: false }]],
    [400, 'PATCH', '/proxies/pa', 7],
    [400, 'PATCH', '/proxies/pa', { enabled: 'no' }],
    [400, 'PATCH', '/proxies/pa', { listen: 5 }],
    [400, 'POST', '/proxies/pa', ''],
    [404, 'PATCH', '/proxies/nope', { enabled: false }],
    [404, 'DELETE', '/proxies/nope'],
  ]);
});

t.test('creates that fail change nothing', async (t) => {
  const setup = await setUp(t);
  const { taken } = setup;
  await rejectsUnchanged(t, setup, [
    [409, 'POST', '/proxies', { name: 'pa', listen: '127.0.0.1:0', upstream: 'x:1' }],
    [500, 'POST', '/proxies', { name: 'pd', listen: `127.0.0.1:${taken}`, upstream: 'x:1' }],
    [500, 'POST', '/proxies', { name: 'pd', listen: 'nowhere', upstream: 'x:1' }],
    [400, 'POST', '/proxies', { listen: '127.0.0.1:0', upstream: 'x:1' }],
    [400, 'POST', '/proxies', { name: 'pd', listen: '127.0.0.1:0' }],
    [400, 'POST', '/proxies', { name: 'a/b', listen: '127.0.0.1:0', upstream: 'x:1' }],
    [400, 'POST', '/proxies', { name: 'pd', listen: '127.0.0.1:0', upstream: 'x:1', toxics: [{ type: 'latency' }, { type: 'nope' }] }],
    [400, 'POST', '/proxies', null],
    [400, 'POST', '/proxies', 'text'],
  ]);
});

t.test('populate is all or nothing: a failure removes what it created and keeps what it would have replaced', async (t) => {
  const setup = await setUp(t);
  const { taken, paPort } = setup;
  await rejectsUnchanged(t, setup, [
    // A new proxy, then pa replaced (new upstream, same port), then one that cannot bind.
    [500, 'POST', '/populate', [
      { name: 'pd', listen: '127.0.0.1:0', upstream: 'x:1' },
      { name: 'pa', listen: `127.0.0.1:${paPort}`, upstream: 'y:1' },
      { name: 'pe', listen: `127.0.0.1:${taken}`, upstream: 'x:1' },
    ]],
    [500, 'POST', '/populate', [{ name: 'pa', listen: `127.0.0.1:${taken}`, upstream: 'y:1' }]],
    [400, 'POST', '/populate', [{ name: 'pd', listen: '127.0.0.1:0', upstream: 'x:1' }, { name: 'pe' }]],
    [400, 'POST', '/populate', { name: 'pd', upstream: 'x:1' }],
    [400, 'POST', '/populate', null],
  ]);
  const res = await call(setup.server, 'POST', '/populate', [{ name: 'pe', listen: `127.0.0.1:${taken}`, upstream: 'x:1' }]);
  t.same(res.json.proxies, [], 'the failed populate reports no proxy done');
});

t.test('toxic requests that fail change nothing', async (t) => {
  const setup = await setUp(t);
  await rejectsUnchanged(t, setup, [
    [400, 'POST', '/proxies/pa/toxics', { type: 'nope' }],
    [400, 'POST', '/proxies/pa/toxics', { type: 'latency', stream: 'sideways' }],
    [409, 'POST', '/proxies/pa/toxics', { name: 'lag', type: 'latency' }],
    [400, 'POST', '/proxies/pa/toxics', { type: 'latency', attributes: { latency: -1 } }],
    [400, 'POST', '/proxies/pa/toxics', { type: 'latency', attributes: [1] }],
    [400, 'POST', '/proxies/pa/toxics', { type: 'slicer', attributes: { average_size: 0 } }],
    [400, 'POST', '/proxies/pa/toxics', { type: 'latency', toxicity: 2 }],
    [400, 'POST', '/proxies/pa/toxics', null],
    [404, 'POST', '/proxies/nope/toxics', { type: 'latency' }],
    [400, 'PATCH', '/proxies/pa/toxics/lag', { attributes: { latency: 'slow' } }],
    [400, 'PATCH', '/proxies/pa/toxics/lag', { attributes: { latency: 5, jitter: -1 } }],
    [400, 'POST', '/proxies/pa/toxics/lag', { toxicity: -0.5 }],
    [400, 'PATCH', '/proxies/pa/toxics/lag', null],
    [404, 'PATCH', '/proxies/pa/toxics/nope', { attributes: {} }],
    [404, 'DELETE', '/proxies/pa/toxics/nope'],
  ]);
});

t.test('a reset that cannot re-enable one proxy changes nothing: no proxy enabled, no toxic removed', async (t) => {
  const setup = await setUp(t);
  await rejectsUnchanged(t, setup, [[500, 'POST', '/reset']]);
  const proxies = (await call(setup.server, 'GET', '/proxies')).json;
  t.same([proxies.pb.enabled, proxies.pc.enabled, proxies.pa.toxics.length], [false, false, 1]);
});

t.test('connection cuts and event streams that fail change nothing', async (t) => {
  const setup = await setUp(t);
  await rejectsUnchanged(t, setup, [
    [400, 'DELETE', '/proxies/pa/connections?mode=bogus'],
    [404, 'DELETE', '/proxies/pa/connections/999'],
    [404, 'DELETE', '/proxies/pa/connections/abc'],
    [404, 'DELETE', '/proxies/nope/connections'],
    [404, 'GET', '/events?proxy=nope'],
  ]);
});
