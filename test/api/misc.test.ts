import { get, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import t from 'tap';
import { Registry } from '../../proxy/registry.js';
import { startServer } from '../../proxy/api/server.js';
import { FAULTLINE_VERSION } from '../../proxy/version.js';
import { apiServer, call } from '../helpers/api.js';
import { dial, echoServer, outcome, portOf, readBytes, roundTrip } from '../helpers/net.js';
import { assertTiming, watchLateness } from '../helpers/lateness.js';

/** The value of the sample `name{labels}` in a Prometheus text exposition (labels matched as a substring). */
function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

t.test('GET /version answers Toxiproxy 2.12.0 with Go formatting, plus our own version', async (t) => {
  const server = await apiServer(t);
  const res = await call(server, 'GET', '/version');
  t.equal(res.status, 200);
  t.equal(res.headers.get('content-type'), 'application/json;charset=utf-8');
  t.equal(res.text, `{"version": "2.12.0", "faultline": "${FAULTLINE_VERSION}"}\n`);
  t.match(FAULTLINE_VERSION, /^\d+\.\d+\.\d+/);
});

t.test('POST /reset re-enables every proxy and removes every toxic, whatever the body', async (t) => {
  const server = await apiServer(t);
  const upstream = await echoServer(t);
  const created = await call(server, 'POST', '/proxies', { name: 'p', listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstream}` });
  await call(server, 'POST', '/proxies/p/toxics', { type: 'latency', attributes: { latency: 1000 } });
  await call(server, 'POST', '/proxies', { name: 'q', listen: '127.0.0.1:0', upstream: 'x:1', toxics: [{ type: 'noop' }] });
  await call(server, 'POST', '/proxies/p', { enabled: false });
  const res = await call(server, 'POST', '/reset', '', { 'content-type': 'application/json' });
  t.equal(res.status, 204, 'an empty body with a JSON content type is fine (the Ruby client sends that)');
  t.equal(res.text, '');
  const after = (await call(server, 'GET', '/proxies')).json;
  t.match(after, { p: { enabled: true, toxics: [], listen: created.json.listen }, q: { enabled: true, toxics: [] } });
  const socket = await dial(t, portOf(created.json.listen));
  const late = watchLateness(t);
  assertTiming(t, await roundTrip(socket, 'hi'), 0, 50, late, 'the proxy carries data again without the latency of 1000 ms');
  t.equal((await call(server, 'POST', '/reset', 'not json at all')).status, 204, 'the body is never read');
  t.equal((await call(server, 'GET', '/reset')).status, 405);
});

t.test('unknown paths are plain-text 404s; known paths with another method are empty 405s', async (t) => {
  const server = await apiServer(t);
  for (const path of ['/nope', '/proxies/', '/proxies/a/toxics/', '/proxies/a/b', '/proxies/a%2Fb', '/version/']) {
    const res = await call(server, 'GET', path);
    t.equal(res.status, 404, `GET ${path} → 404`);
    t.equal(res.text, '404 page not found\n');
    t.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
    t.equal(res.headers.get('x-toxiproxy-request-id'), null, 'no request id outside the routes');
  }
  const wrong: Array<[string, string]> = [
    ['DELETE', '/proxies'],
    ['PUT', '/proxies/p'],
    ['HEAD', '/proxies'],
    ['OPTIONS', '/version'],
    ['GET', '/populate'],
    ['PUT', '/proxies/p/toxics'],
    ['GET', '/reset'],
    ['POST', '/version'],
    ['PUT', '/proxies/p/toxics/t'],
  ];
  for (const [method, path] of wrong) {
    const res = await call(server, method, path);
    t.equal(res.status, 405, `${method} ${path} → 405`);
    t.equal(res.text, '');
    t.equal(res.headers.get('x-toxiproxy-request-id'), null);
  }
});

t.test('a malformed percent-escape is a plain-text 400, as Go answers it', async (t) => {
  const server = await apiServer(t);
  const res = await call(server, 'GET', '/proxies/%zz');
  t.equal(res.status, 400);
  t.equal(res.text, '400 Bad Request');
});

t.test('non-canonical paths are redirected to the cleaned path, as gorilla/mux does', async (t) => {
  const server = await apiServer(t);
  const res = await call(server, 'GET', '//proxies?x=1');
  t.equal(res.status, 301);
  t.equal(res.headers.get('location'), '/proxies?x=1');
  const dotted = await new Promise<IncomingMessage>((resolve, reject) => {
    // fetch would clean the path itself; node:http sends it as written.
    const { hostname, port } = new URL(server.url);
    get({ host: hostname, port, path: '/proxies/a/../../version' }, resolve).once('error', reject);
  });
  dotted.resume();
  t.equal(dotted.statusCode, 301);
  t.equal(dotted.headers.location, '/version');
});

t.test('browsers are refused with a plain-text 403; other agents pass', async (t) => {
  const server = await apiServer(t);
  const res = await call(server, 'GET', '/proxies', undefined, { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64)' });
  t.equal(res.status, 403);
  t.equal(res.text, 'User agent not allowed\n');
  t.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
  t.match(res.headers.get('x-toxiproxy-request-id'), /^[0-9a-v]{20}$/, 'the rejection still carries a request id');
  const create = await call(server, 'POST', '/proxies', { name: 'p', upstream: 'x:1', enabled: false }, { 'user-agent': 'Mozilla/5.0' });
  t.equal(create.status, 403);
  t.equal((await call(server, 'GET', '/proxies')).text, '{}', 'a refused request changes nothing');
  for (const agent of ['curl/8.0', 'toxiproxy-cli/2.12.0 (linux/amd64)', 'mozilla/5.0', 'node']) {
    t.equal((await call(server, 'GET', '/proxies', undefined, { 'user-agent': agent })).status, 200, `${agent} passes`);
  }
});

t.test('every routed response carries a fresh X-Toxiproxy-Request-Id', async (t) => {
  const server = await apiServer(t);
  const ids = new Set<string>();
  for (const [method, path] of [
    ['GET', '/version'],
    ['GET', '/proxies'],
    ['GET', '/proxies/nope'],
    ['POST', '/proxies'],
    ['POST', '/reset'],
  ] as const) {
    const id = (await call(server, method, path, undefined, { 'x-toxiproxy-request-id': 'mine' })).headers.get('x-toxiproxy-request-id');
    t.match(id, /^[0-9a-v]{20}$/, `${method} ${path} has an xid`);
    ids.add(id as string);
  }
  t.equal(ids.size, 5, 'ids are fresh, incoming ones are not reused');
});

t.test('bodies over 1 MiB are refused with a JSON 413', async (t) => {
  const server = await apiServer(t);
  const res = await call(server, 'POST', '/proxies', JSON.stringify({ name: 'p', upstream: 'x:1', pad: 'x'.repeat(1024 * 1024) }));
  t.equal(res.status, 413);
  t.same(res.json, { error: 'request body too large (limit 1048576 bytes)', status: 413 });
  t.equal((await call(server, 'GET', '/proxies')).text, '{}');
  t.equal((await call(server, 'POST', '/proxies', { name: 'p', upstream: 'x:1', pad: 'x'.repeat(1000_000) })).status, 201, 'just under the limit is fine');
});

t.test('bodies are read whatever their content type', async (t) => {
  const server = await apiServer(t);
  const body = JSON.stringify({ name: 'p', upstream: 'x:1', enabled: false });
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream']) {
    await call(server, 'DELETE', '/proxies/p');
    t.equal((await call(server, 'POST', '/proxies', body, { 'content-type': type })).status, 201, type);
  }
});

t.test('/metrics counts bytes while they flow, and connections and toxic activations', async (t) => {
  const server = await apiServer(t);
  const upstream = await echoServer(t);
  const created = await call(server, 'POST', '/proxies', { name: 'p', listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstream}` });
  const labels = `direction="upstream",proxy="p",listener="${created.json.listen}",upstream="127.0.0.1:${upstream}"`;
  const socket = await dial(t, portOf(created.json.listen));
  const reply = readBytes(socket, 1000);
  socket.write(Buffer.alloc(1000, 1));
  await reply;
  const live = await call(server, 'GET', '/metrics');
  t.equal(live.status, 200);
  t.match(live.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  t.equal(sample(live.text, 'toxiproxy_proxy_received_bytes_total', labels), 1000, 'received bytes of a live connection');
  t.equal(sample(live.text, 'toxiproxy_proxy_sent_bytes_total', labels), 1000, 'sent bytes of a live connection');
  t.equal(sample(live.text, 'toxiproxy_proxy_sent_bytes_total', labels.replace('upstream"', 'downstream"')), 1000);
  t.equal(sample(live.text, 'faultline_proxy_active_connections', 'proxy="p"'), 1);
  t.equal(sample(live.text, 'faultline_proxy_accepted_connections_total', 'proxy="p"'), 1);
  t.match(live.text, /^process_cpu_user_seconds_total /m, 'Node process metrics are there');
  t.match(live.text, /^nodejs_eventloop_lag_seconds /m);

  const closed = outcome(socket);
  socket.end();
  await closed;
  await call(server, 'POST', '/proxies/p/toxics', { type: 'reset_peer', attributes: { timeout: 0 } });
  const tripped = await dial(t, portOf(created.json.listen));
  const reset = outcome(tripped);
  tripped.write('x');
  t.equal(await reset, 'ECONNRESET');
  let after = '';
  for (let i = 0; i < 50; i++) {
    after = (await call(server, 'GET', '/metrics')).text;
    if (sample(after, 'faultline_proxy_active_connections', 'proxy="p"') === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  t.equal(sample(after, 'toxiproxy_proxy_received_bytes_total', labels), 1001, 'closed connections stay counted, once');
  t.equal(sample(after, 'faultline_proxy_accepted_connections_total', 'proxy="p"'), 2);
  t.equal(sample(after, 'faultline_toxic_activations_total', 'proxy="p",toxic="reset_peer_downstream"'), 2, 'added once, fired once');

  await call(server, 'DELETE', '/proxies/p');
  const gone = (await call(server, 'GET', '/metrics')).text;
  t.notMatch(gone, /proxy="p"/, 'a deleted proxy leaves no series');
  t.equal((await call(server, 'POST', '/metrics')).status, 200, 'any method is served, like Toxiproxy');
});

t.test('startServer serves the given registry on 127.0.0.1; close() stops the API and every proxy', async (t) => {
  const registry = new Registry({ seed: 'test' });
  const server = await startServer({ port: 0, registry });
  t.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  t.equal(server.registry, registry, 'the given registry is served');
  const proxy = await registry.create({ name: 'p', listen: '127.0.0.1:0', upstream: 'x:1' });
  await server.close();
  await server.close();
  t.equal(proxy.enabled, false, 'proxies are stopped');
  const refused = await new Promise<string>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: Number(new URL(server.url).port) });
    socket.once('connect', () => resolve('connect'));
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
  t.equal(refused, 'ECONNREFUSED', 'the API port is closed');
  const busy = await apiServer(t);
  await t.rejects(startServer({ port: Number(new URL(busy.url).port) }), { code: 'EADDRINUSE' }, 'a taken API port is an error');
});
