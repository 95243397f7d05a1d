/** The HTTP toxics through the control API: complete wire shapes, errors naming the field, live add and remove on a keep-alive connection. */
import t from 'tap';
import { startHttpUpstream } from '../../harness/upstreams/http.js';
import { apiServer, call } from '../helpers/api.js';
import { dial, portOf, type Teardown } from '../helpers/net.js';
import { getRequest, postWithLength, responses } from '../helpers/http-client.js';

async function withHttpProxy(t: Teardown) {
  const server = await apiServer(t);
  const upstream = await startHttpUpstream({ host: '127.0.0.1', port: 0 });
  t.teardown(() => upstream.close());
  const res = await call(server, 'POST', '/proxies', { name: 'web', listen: '127.0.0.1:0', upstream: upstream.address });
  return { server, upstream, port: portOf(res.json.listen) };
}

t.test('the HTTP toxics are created with every attribute filled in', async (t) => {
  const { server } = await withHttpProxy(t);
  const cases: Array<[string, Record<string, unknown>]> = [
    ['http_status', { status: 503, count: 0, rate: 1, body: '' }],
    ['http_delay_headers', { delay: 0 }],
    ['sse_truncate', { events: 1, partial_bytes: 8, mode: 'close', count: 0 }],
  ];
  for (const [type, attributes] of cases) {
    const res = await call(server, 'POST', '/proxies/web/toxics', { type });
    t.equal(res.status, 200, type);
    t.same(res.json, { attributes, name: `${type}_downstream`, type, stream: 'downstream', toxicity: 1 });
  }
  const withRetry = await call(server, 'POST', '/proxies/web/toxics', { name: 'limited', type: 'http_status', attributes: { status: 429, retry_after: 30 } });
  t.same(withRetry.json.attributes, { status: 429, count: 0, rate: 1, retry_after: 30, body: '' });
});

t.test('bad attributes of the HTTP toxics are rejected with the field named, and nothing is stored', async (t) => {
  const { server } = await withHttpProxy(t);
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ type: 'http_status', attributes: { status: 99 } }, /^bad request body: attributes\.status: must be >= 200/],
    [{ type: 'http_status', attributes: { status: 600 } }, /^bad request body: attributes\.status: must be <= 599/],
    [{ type: 'http_status', attributes: { status: '503' } }, /^bad request body: attributes\.status: must be a number/],
    [{ type: 'http_status', attributes: { count: -1 } }, /^bad request body: attributes\.count: must be >= 0/],
    [{ type: 'http_status', attributes: { rate: 1.5 } }, /^bad request body: attributes\.rate: must be <= 1/],
    [{ type: 'http_status', attributes: { retry_after: 2.5 } }, /^bad request body: attributes\.retry_after: must be an integer/],
    [{ type: 'http_status', attributes: { body: 42 } }, /^bad request body: attributes\.body: must be a string/],
    [{ type: 'http_delay_headers', attributes: { delay: -5 } }, /^bad request body: attributes\.delay: must be >= 0/],
    [{ type: 'sse_truncate', attributes: { partial_bytes: 0 } }, /^bad request body: attributes\.partial_bytes: must be >= 1/],
    [{ type: 'sse_truncate', attributes: { mode: 'explode' } }, /^bad request body: attributes\.mode: must be "reset" or "close"/],
    [{ type: 'sse_truncate', attributes: { events: 'all' } }, /^bad request body: attributes\.events: must be a number/],
  ];
  for (const [body, message] of cases) {
    const res = await call(server, 'POST', '/proxies/web/toxics', body);
    t.equal(res.status, 400, JSON.stringify(body));
    t.match(res.json, { error: message, status: 400 });
  }
  t.same((await call(server, 'GET', '/proxies/web/toxics')).json, []);
});

t.test('added to an idle keep-alive connection, http_status answers its next requests; removed, they reach the upstream again', async (t) => {
  const { server, upstream, port } = await withHttpProxy(t);
  const socket = await dial(t, port);
  const reader = responses(socket);
  socket.write(postWithLength('/ops/before', 'x'));
  await reader.wait(1);
  const added = await call(server, 'POST', '/proxies/web/toxics', { name: 'down', type: 'http_status', attributes: { status: 502 } });
  t.equal(added.status, 200);
  socket.write(postWithLength('/ops/during', 'y') + getRequest('/ops/before'));
  await reader.wait(3);
  const listed = await call(server, 'GET', '/proxies/web/connections');
  t.match(listed.json, [{ toxics: { upstream: ['down'], downstream: ['down'] } }], 'active on both links');
  t.equal((await call(server, 'DELETE', '/proxies/web/toxics/down')).status, 204);
  socket.write(postWithLength('/ops/after', 'z'));
  const got = await reader.wait(4);
  t.same(got.map((r) => r.status), [200, 502, 502, 200]);
  t.same([...upstream.ledger().keys()], ['before', 'after']);
  t.equal(upstream.connections(), 1);
});
