import t from 'tap';
import { EventStream } from '../../harness/event-stream.js';
import type { RunningServer } from '../../proxy/api/server.js';
import { apiServer, call } from '../helpers/api.js';
import { dial, echoServer, portOf, roundTrip, type Teardown } from '../helpers/net.js';
import { assertTiming, watchLateness } from '../helpers/lateness.js';

/** A server with proxy `p` in front of an echo server; returns the server and the proxy port. */
async function withProxy(t: Teardown): Promise<{ server: RunningServer; port: number }> {
  const server = await apiServer(t);
  const upstream = await echoServer(t);
  const res = await call(server, 'POST', '/proxies', { name: 'p', listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstream}` });
  return { server, port: portOf(res.json.listen) };
}

/** The fastest of three echo round trips, in ms. */
async function bestRoundTrip(socket: Parameters<typeof roundTrip>[0]): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < 3; i++) best = Math.min(best, await roundTrip(socket, 'ping'));
  return best;
}

t.test('creating a toxic answers 200 with the full toxic and Toxiproxy defaults', async (t) => {
  const { server } = await withProxy(t);
  const res = await call(server, 'POST', '/proxies/p/toxics', { type: 'latency' });
  t.equal(res.status, 200);
  t.equal(res.headers.get('content-type'), 'application/json');
  t.equal(
    res.text,
    '{"attributes":{"latency":0,"jitter":0},"name":"latency_downstream","type":"latency","stream":"downstream","toxicity":1}',
  );
  const up = await call(server, 'POST', '/proxies/p/toxics', { type: 'bandwidth', stream: 'upstream', toxicity: 0.5 });
  t.same(up.json, { attributes: { rate: 0 }, name: 'bandwidth_upstream', type: 'bandwidth', stream: 'upstream', toxicity: 0.5 });
  const named = await call(server, 'POST', '/proxies/p/toxics', { name: '', type: 'noop', stream: null, toxicity: null });
  t.same(named.json, { attributes: {}, name: 'noop_downstream', type: 'noop', stream: 'downstream', toxicity: 1 }, 'empty name and nulls get defaults');
});

t.test('toxic fields and attribute names are matched case-insensitively', async (t) => {
  const { server } = await withProxy(t);
  const res = await call(server, 'POST', '/proxies/p/toxics', {
    Name: 'slow',
    TYPE: 'latency',
    Stream: 'UPSTREAM',
    attributes: { LATENCY: 25, Jitter: 5 },
  });
  t.equal(res.status, 200);
  t.match(res.json, { name: 'slow', type: 'latency', attributes: { latency: 25, jitter: 5 } });
});

t.test('a new toxic applies at once to live connections', async (t) => {
  const { server, port } = await withProxy(t);
  const socket = await dial(t, port);
  const base = await bestRoundTrip(socket);
  await call(server, 'POST', '/proxies/p/toxics', { type: 'latency', attributes: { latency: 300 } });
  const slow = await roundTrip(socket, 'ping');
  t.ok(slow >= 299, `round trip ${slow.toFixed(1)} ms with a 300 ms latency toxic (base ${base.toFixed(1)} ms)`);
  const removed = await call(server, 'DELETE', '/proxies/p/toxics/latency_downstream');
  t.equal(removed.status, 204);
  t.equal(removed.text, '');
  const late = watchLateness(t);
  const fast = await roundTrip(socket, 'ping');
  assertTiming(t, fast, 0, base + 5, late, 'the round trip is back to its time without the toxic');
});

t.test('bad toxics are rejected with Toxiproxy statuses and leave the proxy unchanged', async (t) => {
  const { server } = await withProxy(t);
  await call(server, 'POST', '/proxies/p/toxics', { name: 'taken', type: 'latency', stream: 'upstream' });
  const before = (await call(server, 'GET', '/proxies/p')).text;
  const cases: Array<[unknown, number, RegExp]> = [
    ['', 400, /^bad request body: EOF$/],
    ['{"type":', 400, /^bad request body: /],
    [{ type: 'latency', toxicity: 'high' }, 400, /^bad request body: toxicity: /],
    [{ type: 'latency', attributes: 'fast' }, 400, /^bad request body: attributes: /],
    [{ name: 7, type: 'latency' }, 400, /^bad request body: name: /],
    [{}, 400, /^invalid toxic type/],
    [{ type: 'down' }, 400, /^invalid toxic type/],
    [{ type: 'latency', stream: 'sideways' }, 400, /^stream was invalid, can be either upstream or downstream$/],
    [{ type: 'latency', stream: '' }, 400, /^stream was invalid/],
    [{ name: 'taken', type: 'noop', stream: 'downstream' }, 409, /^toxic already exists$/],
    [{ type: 'latency', attributes: { latency: 1.5 } }, 400, /^bad request body: attributes\.latency: /],
    [{ type: 'latency', attributes: { latency: 'x' } }, 400, /^bad request body: attributes\.latency: must be a number \(ms\)/],
    [{ type: 'latency', attributes: { jitter: '5' } }, 400, /^bad request body: attributes\.jitter: /],
    [{ type: 'bandwidth', attributes: { rate: -1 } }, 400, /^bad request body: attributes\.rate: /],
    [{ type: 'slicer', attributes: { average_size: 0 } }, 400, /^bad request body: attributes\.average_size: /],
    [{ type: 'latency', toxicity: 2 }, 400, /^bad request body: toxicity: /],
  ];
  for (const [body, status, message] of cases) {
    const res = await call(server, 'POST', '/proxies/p/toxics', body);
    t.equal(res.status, status, `${JSON.stringify(body)} → ${status}`);
    t.match(res.json, { error: message, status });
  }
  t.equal((await call(server, 'GET', '/proxies/p')).text, before, 'no rejected toxic was stored');
  const unknown = await call(server, 'POST', '/proxies/nope/toxics', 'not json');
  t.same(unknown.json, { error: 'proxy not found', status: 404 }, 'an unknown proxy is reported before the body');
});

t.test('listing toxics gives upstream ones first, each in insertion order', async (t) => {
  const { server } = await withProxy(t);
  t.equal((await call(server, 'GET', '/proxies/p/toxics')).text, '[]');
  await call(server, 'POST', '/proxies/p/toxics', { name: 'd1', type: 'noop' });
  await call(server, 'POST', '/proxies/p/toxics', { name: 'u1', type: 'noop', stream: 'upstream' });
  await call(server, 'POST', '/proxies/p/toxics', { name: 'd2', type: 'noop' });
  await call(server, 'POST', '/proxies/p/toxics', { name: 'u2', type: 'noop', stream: 'upstream' });
  const list = await call(server, 'GET', '/proxies/p/toxics');
  t.same(
    list.json.map((x: { name: string }) => x.name),
    ['u1', 'u2', 'd1', 'd2'],
  );
  t.equal((await call(server, 'GET', '/proxies/nope/toxics')).status, 404);
});

t.test('GET one toxic: 200, or 404 naming what is missing', async (t) => {
  const { server } = await withProxy(t);
  await call(server, 'POST', '/proxies/p/toxics', { type: 'timeout', attributes: { timeout: 100 } });
  const res = await call(server, 'GET', '/proxies/p/toxics/timeout_downstream');
  t.same(res.json, { attributes: { timeout: 100 }, name: 'timeout_downstream', type: 'timeout', stream: 'downstream', toxicity: 1 });
  t.same((await call(server, 'GET', '/proxies/p/toxics/nope')).json, { error: 'toxic not found', status: 404 });
  t.same((await call(server, 'GET', '/proxies/nope/toxics/x')).json, { error: 'proxy not found', status: 404 });
});

t.test('updating a toxic through PATCH or POST merges attributes and keeps type, stream and name', async (t) => {
  const { server, port } = await withProxy(t);
  await call(server, 'POST', '/proxies/p/toxics', { name: 'slow', type: 'latency', attributes: { latency: 100, jitter: 10 } });
  const patched = await call(server, 'PATCH', '/proxies/p/toxics/slow', {
    name: 'renamed',
    type: 'bandwidth',
    stream: 'upstream',
    attributes: { Latency: 10 },
  });
  t.equal(patched.status, 200);
  t.same(patched.json, { attributes: { latency: 10, jitter: 10 }, name: 'slow', type: 'latency', stream: 'downstream', toxicity: 1 });
  const posted = await call(server, 'POST', '/proxies/p/toxics/slow', { toxicity: 0.25 });
  t.same(posted.json.attributes, { latency: 10, jitter: 10 }, 'omitted attributes keep their values');
  t.equal(posted.json.toxicity, 0.25);
  const back = await call(server, 'POST', '/proxies/p/toxics/slow', { toxicity: 1, attributes: { latency: 60, jitter: 0 } });
  t.equal(back.status, 200);
  const socket = await dial(t, port);
  const rtt = await roundTrip(socket, 'ping');
  t.ok(rtt >= 59, `the updated latency applies: ${rtt.toFixed(1)} ms`);
});

t.test('a rejected toxic update changes nothing; unknown toxics are 404 before the body', async (t) => {
  const { server } = await withProxy(t);
  await call(server, 'POST', '/proxies/p/toxics', { name: 'slow', type: 'latency', attributes: { latency: 100, jitter: 10 } });
  const before = (await call(server, 'GET', '/proxies/p/toxics/slow')).text;
  const cases: Array<[unknown, number]> = [
    ['', 400],
    ['nope', 400],
    [{ attributes: { latency: 5, jitter: 'x' } }, 400],
    [{ attributes: { latency: 2.5 } }, 400],
    [{ toxicity: '1' }, 400],
    [{ attributes: [] }, 400],
  ];
  for (const [body, status] of cases) {
    t.equal((await call(server, 'PATCH', '/proxies/p/toxics/slow', body)).status, status, `${JSON.stringify(body)} → ${status}`);
  }
  t.equal((await call(server, 'GET', '/proxies/p/toxics/slow')).text, before, 'the toxic is unchanged, even its valid fields');
  t.same((await call(server, 'PATCH', '/proxies/p/toxics/nope', 'not json')).json, { error: 'toxic not found', status: 404 });
  t.same((await call(server, 'PATCH', '/proxies/nope/toxics/slow', 'not json')).json, { error: 'proxy not found', status: 404 });
});

t.test('DELETE a toxic: 204 empty, then 404', async (t) => {
  const { server } = await withProxy(t);
  await call(server, 'POST', '/proxies/p/toxics', { type: 'noop' });
  const res = await call(server, 'DELETE', '/proxies/p/toxics/noop_downstream');
  t.equal(res.status, 204);
  t.equal(res.text, '');
  t.same((await call(server, 'DELETE', '/proxies/p/toxics/noop_downstream')).json, { error: 'toxic not found', status: 404 });
  t.equal((await call(server, 'DELETE', '/proxies/nope/toxics/noop_downstream')).status, 404);
});

t.test('toxics can be added to a disabled proxy and apply once it is enabled', async (t) => {
  const { server, port } = await withProxy(t);
  await call(server, 'POST', '/proxies/p', { enabled: false });
  const added = await call(server, 'POST', '/proxies/p/toxics', { type: 'latency', attributes: { latency: 60 } });
  t.equal(added.status, 200);
  await call(server, 'POST', '/proxies/p', { enabled: true });
  const socket = await dial(t, port);
  const rtt = await roundTrip(socket, 'ping');
  t.ok(rtt >= 59, `round trip ${rtt.toFixed(1)} ms`);
});

t.test('unknown attributes are accepted (as Toxiproxy) with one warning event per toxic and name', async (t) => {
  const server = await apiServer(t);
  await call(server, 'POST', '/proxies', { name: 'web', listen: '127.0.0.1:0', upstream: 'x:1' });
  const events = new EventStream();
  await events.open(server.url, {}, '?proxy=web');
  t.teardown(() => events.close());
  const added = await call(server, 'POST', '/proxies/web/toxics', { type: 'latency', attributes: { lattency: 100 } });
  t.equal(added.status, 200, 'accepted');
  t.same(added.json.attributes, { latency: 0, jitter: 0 }, 'the unknown attribute is ignored');
  const warning = await events.find(0, (e) => e.type === 'toxic.unknown_attributes', 2000);
  t.match(warning, { proxy: 'web', toxic: 'latency_downstream', toxic_type: 'latency', attributes: ['lattency'] });
  await call(server, 'PATCH', '/proxies/web/toxics/latency_downstream', { attributes: { lattency: 200, latency: 5 } });
  await call(server, 'PATCH', '/proxies/web/toxics/latency_downstream', { attributes: { jiter: 1 } });
  await events.find(0, (e) => e.type === 'toxic.updated' && (e.toxic as { attributes: Record<string, unknown> }).attributes['latency'] === 5, 2000);
  await events.find(0, (e) => e.type === 'toxic.unknown_attributes' && (e.attributes as string[])[0] === 'jiter', 2000);
  t.same(
    events.events.filter((e) => e.type === 'toxic.unknown_attributes').map((e) => e.attributes),
    [['lattency'], ['jiter']],
    'each unknown name is reported once for the toxic, not on every update',
  );
});

t.test('with strict, unknown attributes are a 400 naming the attribute and the toxic type, and change nothing', async (t) => {
  const server = await apiServer(t, { strict: true });
  await call(server, 'POST', '/proxies', { name: 'web', listen: '127.0.0.1:0', upstream: 'x:1' });
  const before = (await call(server, 'GET', '/proxies')).text;
  const add = await call(server, 'POST', '/proxies/web/toxics', { type: 'latency', attributes: { lattency: 100 } });
  t.equal(add.status, 400);
  t.equal(add.json.error, 'bad request body: attributes.lattency: unknown attribute of toxic type latency (it has: latency, jitter, distribution)');
  const create = await call(server, 'POST', '/proxies', { name: 'api', listen: '127.0.0.1:0', upstream: 'x:1', toxics: [{ type: 'noop', attributes: { x: 1 } }] });
  t.equal(create.status, 400);
  t.match(create.json.error, /^bad request body: toxics\[0\]\.attributes\.x: unknown attribute of toxic type noop \(it has: none\)$/);
  t.equal((await call(server, 'GET', '/proxies')).text, before, 'nothing was created');
  await call(server, 'POST', '/proxies/web/toxics', { name: 'lag', type: 'latency', attributes: { LATENCY: 10 } });
  const update = await call(server, 'PATCH', '/proxies/web/toxics/lag', { attributes: { latency: 20, jitter: 1, lattency: 3 } });
  t.equal(update.status, 400, 'an update with an unknown attribute is refused too');
  t.same((await call(server, 'GET', '/proxies/web/toxics/lag')).json.attributes, { latency: 10, jitter: 0 }, 'case-folded names still match; the refused update changed nothing');
});
