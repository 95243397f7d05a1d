import { connect, createServer } from 'node:net';
import t from 'tap';
import { apiServer, call } from '../helpers/api.js';
import { dial, echoServer, listen, outcome, portOf, roundTrip } from '../helpers/net.js';

/** Resolves with how a connection attempt to 127.0.0.1:port goes: 'connect' or the error code. */
async function tryConnect(port: number): Promise<string> {
  const socket = connect({ host: '127.0.0.1', port });
  try {
    return await new Promise((resolve) => {
      socket.once('connect', () => resolve('connect'));
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
  } finally {
    socket.destroy();
  }
}

t.test('POST /proxies creates a proxy: 201, Go field order, the real bound port', async (t) => {
  const server = await apiServer(t);
  const upstream = await echoServer(t);
  const res = await call(server, 'POST', '/proxies', { name: 'echo', listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstream}` });
  t.equal(res.status, 201);
  t.equal(res.headers.get('content-type'), 'application/json');
  const port = portOf(res.json.listen);
  t.ok(port > 0, 'port 0 is replaced by the real port');
  t.equal(
    res.text,
    `{"name":"echo","listen":"127.0.0.1:${port}","upstream":"127.0.0.1:${upstream}","enabled":true,"Logger":{},"toxics":[]}`,
  );
  const socket = await dial(t, port);
  t.ok((await roundTrip(socket, 'hello')) >= 0, 'the proxy carries data');
});

t.test('POST /proxies applies Toxiproxy defaults and reads fields case-insensitively', async (t) => {
  const server = await apiServer(t);
  const nullEnabled = await call(server, 'POST', '/proxies', { NAME: 'a', Upstream: 'x:1', listen: '127.0.0.1:0', enabled: null });
  t.equal(nullEnabled.status, 201);
  t.equal(nullEnabled.json.name, 'a');
  t.equal(nullEnabled.json.upstream, 'x:1');
  t.equal(nullEnabled.json.enabled, true, 'enabled null means the default, true');
  const disabled = await call(server, 'POST', '/proxies', { name: 'b', upstream: 'x:1', listen: 'garbage', enabled: false });
  t.equal(disabled.status, 201);
  t.equal(disabled.json.listen, 'garbage', 'a disabled proxy keeps listen verbatim');
  t.equal(disabled.json.enabled, false);
  const trailing = await call(server, 'POST', '/proxies', '{"name":"c","upstream":"x:1","listen":"127.0.0.1:0","extra":1} trailing junk');
  t.equal(trailing.status, 201, 'unknown fields and bytes after the first JSON value are ignored');
});

t.test('POST /proxies rejects bad input with Toxiproxy statuses and messages', async (t) => {
  const server = await apiServer(t);
  const cases: Array<[unknown, number, RegExp]> = [
    ['', 400, /^bad request body: EOF$/],
    ['{"name":', 400, /^bad request body: /],
    ['[]', 400, /^bad request body: expected a JSON object, got an array$/],
    ['null', 400, /^bad request body: expected a JSON object, got null$/],
    ['"name"', 400, /^bad request body: expected a JSON object, got a string$/],
    [{ name: 5, upstream: 'x:1' }, 400, /^bad request body: name: /],
    [{ name: 'a', upstream: 'x:1', enabled: 'yes' }, 400, /^bad request body: enabled: /],
    [{ upstream: 'x:1' }, 400, /^missing required field: name$/],
    [{}, 400, /^missing required field: name$/],
    [{ name: 'a' }, 400, /^missing required field: upstream$/],
    [{ name: 'a', upstream: '' }, 400, /^missing required field: upstream$/],
  ];
  for (const [body, status, message] of cases) {
    const res = await call(server, 'POST', '/proxies', body);
    t.equal(res.status, status, `${JSON.stringify(body)} → ${status}`);
    t.match(res.json, { error: message, status }, 'error body names the problem');
    t.equal(res.text.endsWith('\n'), true, 'error bodies end with a newline, like Go');
  }
  t.same((await call(server, 'GET', '/proxies')).json, {}, 'nothing was created');
});

t.test('POST /proxies: a duplicate name is 409, an unusable listen address is 500 and creates nothing', async (t) => {
  const server = await apiServer(t);
  const taken = await listen(t, createServer());
  t.equal((await call(server, 'POST', '/proxies', { name: 'a', upstream: 'x:1', listen: '127.0.0.1:0' })).status, 201);
  const dup = await call(server, 'POST', '/proxies', { name: 'a', upstream: 'y:1', listen: '127.0.0.1:0' });
  t.same(dup.json, { error: 'proxy already exists', status: 409 });
  const busy = await call(server, 'POST', '/proxies', { name: 'b', upstream: 'x:1', listen: `127.0.0.1:${taken}` });
  t.equal(busy.status, 500);
  t.equal(busy.json.error, `listen tcp 127.0.0.1:${taken}: bind: address already in use`);
  const malformed = await call(server, 'POST', '/proxies', { name: 'c', upstream: 'x:1', listen: 'local373' });
  t.equal(malformed.status, 500, 'a malformed listen address is a 500, never a 400');
  t.same(Object.keys((await call(server, 'GET', '/proxies')).json), ['a']);
});

t.test('POST /proxies with toxics creates them before listening, or nothing at all', async (t) => {
  const server = await apiServer(t);
  const ok = await call(server, 'POST', '/proxies', {
    name: 'p',
    upstream: 'x:1',
    listen: '127.0.0.1:0',
    toxics: [{ type: 'latency', attributes: { latency: 10 } }, { type: 'timeout', stream: 'upstream' }],
  });
  t.equal(ok.status, 201);
  t.same(
    ok.json.toxics.map((x: { name: string }) => x.name),
    ['timeout_upstream', 'latency_downstream'],
    'upstream toxics first, then downstream',
  );
  const bad = await call(server, 'POST', '/proxies', {
    name: 'q',
    upstream: 'x:1',
    listen: '127.0.0.1:0',
    toxics: [{ type: 'latency' }, { type: 'slicer', attributes: { average_size: -1 } }],
  });
  t.equal(bad.status, 400);
  t.match(bad.json.error, /^bad request body: toxics\[1\]\.attributes\.average_size/, 'the message names the toxic and the field');
  const badType = await call(server, 'POST', '/proxies', { name: 'q', upstream: 'x:1', toxics: {} });
  t.equal(badType.status, 400);
  t.same(Object.keys((await call(server, 'GET', '/proxies')).json), ['p'], 'the rejected proxy does not exist');
});

t.test('GET /proxies is an object keyed by name in byte order, {} when empty', async (t) => {
  const server = await apiServer(t);
  t.equal((await call(server, 'GET', '/proxies')).text, '{}');
  for (const name of ['b', '10', 'a', '2']) {
    await call(server, 'POST', '/proxies', { name, upstream: 'x:1', enabled: false });
  }
  const res = await call(server, 'GET', '/proxies');
  t.equal(res.status, 200);
  t.equal(res.headers.get('content-type'), 'application/json');
  t.same(
    [...res.text.matchAll(/"([^"]+)":\{"name"/g)].map((m) => m[1]),
    ['10', '2', 'a', 'b'],
    'Go sorts names as bytes, even numeric ones',
  );
});

t.test('GET /proxies/{proxy} shows one proxy; names are percent-decoded; unknown is 404', async (t) => {
  const server = await apiServer(t);
  await call(server, 'POST', '/proxies', { name: 'my proxy', upstream: 'x:1', enabled: false });
  const res = await call(server, 'GET', '/proxies/my%20proxy');
  t.equal(res.status, 200);
  t.equal(res.text, '{"name":"my proxy","listen":"","upstream":"x:1","enabled":false,"Logger":{},"toxics":[]}');
  const missing = await call(server, 'GET', '/proxies/nope');
  t.equal(missing.status, 404);
  t.same(missing.json, { error: 'proxy not found', status: 404 });
});

t.test('disabling a proxy through POST or PATCH refuses new connections and closes live ones', async (t) => {
  const server = await apiServer(t);
  const upstream = await echoServer(t);
  const created = await call(server, 'POST', '/proxies', { name: 'p', upstream: `127.0.0.1:${upstream}`, listen: '127.0.0.1:0' });
  const port = portOf(created.json.listen);
  const live = await dial(t, port);
  await roundTrip(live, 'hi');
  const ended = outcome(live);
  const off = await call(server, 'PATCH', '/proxies/p', { enabled: false });
  t.equal(off.status, 200);
  t.same({ enabled: off.json.enabled, listen: off.json.listen }, { enabled: false, listen: created.json.listen });
  t.ok(['end', 'close', 'ECONNRESET'].includes(await ended), 'the live connection is closed');
  t.equal(await tryConnect(port), 'ECONNREFUSED', 'new connections are refused');
  const on = await call(server, 'POST', '/proxies/p', { enabled: true });
  t.equal(on.status, 200);
  t.equal(on.json.listen, created.json.listen, 'it listens again on the same port');
  const again = await dial(t, port);
  t.ok((await roundTrip(again, 'back')) >= 0, 'and carries data again');
});

t.test('a proxy update is partial, ignores name and toxics, and restarts only on a real change', async (t) => {
  const server = await apiServer(t);
  const first = await echoServer(t);
  const second = await echoServer(t);
  const created = await call(server, 'POST', '/proxies', { name: 'p', upstream: `127.0.0.1:${first}`, listen: '127.0.0.1:0' });
  const port = portOf(created.json.listen);
  const live = await dial(t, port);
  const same = await call(server, 'POST', '/proxies/p', { ...created.json, name: 'renamed', toxics: 'ignored' });
  t.equal(same.status, 200, 'sending the current values back is accepted');
  t.equal(same.json.name, 'p', 'the name cannot change');
  t.ok((await roundTrip(live, 'still here')) >= 0, 'an update without changes keeps live connections');
  const ended = outcome(live);
  const moved = await call(server, 'PATCH', '/proxies/p', { upstream: `127.0.0.1:${second}` });
  t.same(
    { listen: moved.json.listen, upstream: moved.json.upstream, enabled: moved.json.enabled },
    { listen: created.json.listen, upstream: `127.0.0.1:${second}`, enabled: true },
    'only the upstream changed; the port is kept',
  );
  t.ok(['end', 'close', 'ECONNRESET'].includes(await ended), 'changing the upstream drops live connections');
});

t.test('a proxy update checks the proxy before the body, and a bad one changes nothing', async (t) => {
  const server = await apiServer(t);
  t.equal((await call(server, 'POST', '/proxies/nope', 'not json')).status, 404, 'unknown proxy wins over a bad body');
  await call(server, 'POST', '/proxies', { name: 'p', upstream: 'x:1', listen: '127.0.0.1:0' });
  const before = (await call(server, 'GET', '/proxies')).text;
  const empty = await call(server, 'POST', '/proxies/p');
  t.same(empty.json, { error: 'bad request body: EOF', status: 400 });
  t.equal((await call(server, 'PATCH', '/proxies/p', { enabled: 1 })).status, 400);
  const badListen = await call(server, 'PATCH', '/proxies/p', { listen: 'local373' });
  t.same(badListen.json, { error: 'address local373: missing port in address', status: 500 });
  t.equal((await call(server, 'GET', '/proxies')).text, before, 'state is unchanged');
});

t.test('DELETE /proxies/{proxy} closes the listener and answers 204 with no body', async (t) => {
  const server = await apiServer(t);
  const created = await call(server, 'POST', '/proxies', { name: 'p', upstream: 'x:1', listen: '127.0.0.1:0' });
  const res = await call(server, 'DELETE', '/proxies/p');
  t.equal(res.status, 204);
  t.equal(res.text, '');
  t.equal(res.headers.get('content-type'), null);
  t.equal(await tryConnect(portOf(created.json.listen)), 'ECONNREFUSED');
  t.equal((await call(server, 'DELETE', '/proxies/p')).status, 404);
});

t.test('the listen address is rendered like Go: localhost resolves to 127.0.0.1', async (t) => {
  const server = await apiServer(t);
  const res = await call(server, 'POST', '/proxies', { name: 'p', upstream: 'x:1', listen: 'localhost:0' });
  t.match(res.json.listen, /^127\.0\.0\.1:\d+$/);
});
