import { createServer } from 'node:net';
import t from 'tap';
import { apiServer, call } from '../helpers/api.js';
import { dial, echoServer, listen, outcome, portOf, roundTrip } from '../helpers/net.js';

t.test('populate creates proxies in input order: 201 {"proxies":[...]}', async (t) => {
  const server = await apiServer(t);
  const res = await call(server, 'POST', '/populate', [
    { name: 'b', listen: '127.0.0.1:0', upstream: 'x:1' },
    { name: 'a', listen: 'nowhere', upstream: 'y:1', enabled: false },
    { name: 'c', listen: '127.0.0.1:0', upstream: 'z:1', enabled: null },
  ]);
  t.equal(res.status, 201);
  t.equal(res.headers.get('content-type'), 'application/json');
  t.same(
    res.json.proxies.map((p: { name: string; enabled: boolean }) => [p.name, p.enabled]),
    [
      ['b', true],
      ['a', false],
      ['c', true],
    ],
  );
  t.match(res.text, /^\{"proxies":\[\{"name":"b","listen":"127\.0\.0\.1:\d+","upstream":"x:1","enabled":true,"Logger":\{\},"toxics":\[\]\}/);
  t.same(Object.keys((await call(server, 'GET', '/proxies')).json), ['a', 'b', 'c']);
});

t.test('populate with an empty array answers {"proxies":[]} (Go says null, which breaks clients)', async (t) => {
  const server = await apiServer(t);
  const res = await call(server, 'POST', '/populate', []);
  t.equal(res.status, 201);
  t.equal(res.text, '{"proxies":[]}');
});

t.test('a populate body that does not decode is 400 with "proxies":null and creates nothing', async (t) => {
  const server = await apiServer(t);
  const cases: unknown[] = ['', 'nope', { proxies: [] }, [{ name: 5, upstream: 'x:1' }], [{ name: 'a', upstream: 'x:1', enabled: 'no' }]];
  for (const body of cases) {
    const res = await call(server, 'POST', '/populate', body);
    t.equal(res.status, 400, `${JSON.stringify(body)} → 400`);
    t.match(res.json, { error: /^bad request body: /, status: 400, proxies: null });
    t.match(res.text, /^\{"error":.*,"status":400,"proxies":null\}$/, 'error, status, proxies, in that order');
  }
  t.equal((await call(server, 'GET', '/proxies')).text, '{}');
});

t.test('populate validates every entry before creating any', async (t) => {
  const server = await apiServer(t);
  const noName = await call(server, 'POST', '/populate', [{ name: 'a', upstream: 'x:1', listen: '127.0.0.1:0' }, { upstream: 'x:1' }]);
  t.same(noName.json, { error: 'missing required field: name at proxy 2', status: 400, proxies: null });
  const noUpstream = await call(server, 'POST', '/populate', [null, { name: 'b' }]);
  t.same(noUpstream.json, { error: 'missing required field: name at proxy 1', status: 400, proxies: null }, 'a null entry has no name');
  const upstream = await call(server, 'POST', '/populate', [{ name: 'a', upstream: 'x:1' }, { name: 'b' }]);
  t.same(upstream.json, { error: 'missing required field: upstream at proxy 2', status: 400, proxies: null });
  t.equal((await call(server, 'GET', '/proxies')).text, '{}', 'not even the valid first entry was created');
});

t.test('populate stops at the first failure and undoes the proxies done before it (all or nothing)', async (t) => {
  const server = await apiServer(t);
  const taken = await listen(t, createServer());
  const res = await call(server, 'POST', '/populate', [
    { name: 'a', listen: '127.0.0.1:0', upstream: 'x:1' },
    { name: 'b', listen: `127.0.0.1:${taken}`, upstream: 'x:1' },
    { name: 'c', listen: '127.0.0.1:0', upstream: 'x:1' },
  ]);
  t.equal(res.status, 500);
  t.equal(res.json.error, `listen tcp 127.0.0.1:${taken}: bind: address already in use`);
  t.equal(res.json.status, 500);
  t.same(res.json.proxies, [], 'no proxy is reported done');
  t.equal((await call(server, 'GET', '/proxies')).text, '{}', 'a was removed again; c was never attempted');
});

t.test('populate keeps an unchanged proxy as it is: toxics, connections, enabled state', async (t) => {
  const server = await apiServer(t);
  const upstream = await echoServer(t);
  const created = await call(server, 'POST', '/proxies', { name: 'p', listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstream}` });
  const port = portOf(created.json.listen);
  await call(server, 'POST', '/proxies/p/toxics', { type: 'noop' });
  const socket = await dial(t, port);
  await roundTrip(socket, 'hello');
  const res = await call(server, 'POST', '/populate', [
    { name: 'p', listen: `localhost:${port}`, upstream: `127.0.0.1:${upstream}`, enabled: false },
  ]);
  t.equal(res.status, 201);
  t.match(res.json.proxies[0], { listen: created.json.listen, enabled: true, toxics: [{ name: 'noop_downstream' }] });
  t.ok((await roundTrip(socket, 'still')) >= 0, 'the live connection survives');
});

t.test('populate replaces a changed proxy with a new one without toxics, dropping its connections', async (t) => {
  const server = await apiServer(t);
  const first = await echoServer(t);
  const second = await echoServer(t);
  const created = await call(server, 'POST', '/proxies', { name: 'p', listen: '127.0.0.1:0', upstream: `127.0.0.1:${first}` });
  await call(server, 'POST', '/proxies/p/toxics', { type: 'noop' });
  const socket = await dial(t, portOf(created.json.listen));
  await roundTrip(socket, 'hello');
  const ended = outcome(socket);
  const res = await call(server, 'POST', '/populate', [{ name: 'p', listen: created.json.listen, upstream: `127.0.0.1:${second}` }]);
  t.equal(res.status, 201);
  t.match(res.json.proxies[0], { upstream: `127.0.0.1:${second}`, toxics: [] });
  t.ok(['end', 'close', 'ECONNRESET'].includes(await ended), 'the old connection is closed');
});

t.test('populate ignores toxics in its entries, as Toxiproxy does (the Go client sends them)', async (t) => {
  const server = await apiServer(t);
  const res = await call(server, 'POST', '/populate', [
    { name: 'a', listen: '127.0.0.1:0', upstream: 'x:1', toxics: null },
    { name: 'b', listen: '127.0.0.1:0', upstream: 'x:1', toxics: [{ type: 'latency' }] },
    { name: 'c', listen: '127.0.0.1:0', upstream: 'x:1', toxics: 'whatever' },
  ]);
  t.equal(res.status, 201);
  t.same(
    res.json.proxies.map((p: { toxics: unknown[] }) => p.toxics),
    [[], [], []],
  );
});
