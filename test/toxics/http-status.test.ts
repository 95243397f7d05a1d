/** http_status on real sockets, against the demo HTTP and MCP upstreams: keep-alive, chunked bodies, pipelining, non-HTTP streams. */
import t from 'tap';
import { Agent, request } from 'node:http';
import { startHttpUpstream } from '../../harness/upstreams/http.js';
import { startMcpUpstream } from '../../harness/upstreams/mcp.js';
import type { FaultlineEvent } from '../../proxy/events.js';
import { dial, echoServer, portOf, proxyTo, readBytes, type Teardown } from '../helpers/net.js';
import { getRequest, header, postChunked, postWithLength, responses, type RawResponse } from '../helpers/http-client.js';

async function httpUpstream(t: Teardown) {
  const upstream = await startHttpUpstream({ host: '127.0.0.1', port: 0 });
  t.teardown(() => upstream.close());
  return upstream;
}

t.test('the first N pipelined requests on a keep-alive connection are answered by the toxic, bodies skipped; the rest reach the upstream intact', async (t) => {
  const upstream = await httpUpstream(t);
  const { proxy, port } = await proxyTo(t, portOf(upstream.address));
  proxy.addToxic({ type: 'http_status', attributes: { count: 2 } });
  const socket = await dial(t, port);
  const reader = responses(socket);
  socket.write(postWithLength('/ops/a', 'payload a') + postChunked('/ops/b', ['pay', 'load ', 'b']) + postChunked('/ops/c', ['payload', ' c']));
  socket.write(postWithLength('/ops/d', 'payload d') + getRequest('/ops/c'));
  const got = await reader.wait(5);
  t.same(got.map((r) => r.status), [503, 503, 200, 200, 200], 'in request order');
  t.same(JSON.parse(got[2]?.body ?? ''), { id: 'c', applied: 1 });
  t.equal(got[4]?.body, 'payload c', 'the chunked body of c reached the upstream whole');
  t.same(Object.fromEntries(upstream.ledger()), { c: 1, d: 1 }, 'a and b never reached the upstream');
  t.equal(upstream.connections(), 1, 'one keep-alive connection');
});

t.test('a reply to a pipelined request waits for the upstream responses before it (rate, seeded)', async (t) => {
  const upstream = await httpUpstream(t);
  const { registry, proxy, port } = await proxyTo(t, portOf(upstream.address));
  proxy.addToxic({ type: 'http_status', attributes: { rate: 0.5, status: 429, retry_after: 3 } });
  const trips: string[] = [];
  registry.events.subscribe((e) => void (e.type === 'fault.tripped' && trips.push(e.detail)), ['fault.tripped']);
  const socket = await dial(t, port);
  const reader = responses(socket);
  const ids = Array.from({ length: 20 }, (_, i) => `r${i}`);
  socket.write(ids.map((id) => postChunked(`/ops/${id}`, [id, '-body'])).join(''));
  const got = await reader.wait(ids.length);
  const answered = ids.filter((_, i) => got[i]?.status === 429);
  const passed = ids.filter((_, i) => got[i]?.status === 200);
  t.equal(answered.length + passed.length, ids.length);
  t.ok(answered.length > 0 && passed.length > 0, `${answered.length} answered, ${passed.length} passed`);
  t.same(passed.map((id, i) => JSON.parse(got[ids.indexOf(id)]?.body ?? '{}').id ?? i), passed, 'each 200 answers its own request: order kept');
  t.same([...upstream.ledger().keys()].sort(), [...passed].sort(), 'exactly the passed requests were applied');
  const first429 = got.find((r) => r.status === 429);
  t.equal(first429 && header(first429, 'retry-after'), '3');
  t.equal(trips.length, answered.length, 'one fault.tripped event per answered request');
});

t.test('a keep-alive Node client sees 503 for the first 3 requests, then the upstream, on one connection', async (t) => {
  const upstream = await httpUpstream(t);
  const { proxy, port } = await proxyTo(t, portOf(upstream.address));
  proxy.addToxic({ type: 'http_status', attributes: { count: 3, body: 'try later' } });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  t.teardown(() => agent.destroy());
  const statuses: Array<[number, string]> = [];
  for (let i = 0; i < 6; i++) {
    statuses.push(
      await new Promise((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: `/ops/k${i}`, method: 'POST', agent }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve([res.statusCode ?? 0, body]));
        });
        req.on('error', reject);
        req.end(`value ${i}`);
      }),
    );
  }
  t.same(statuses.map(([s]) => s), [503, 503, 503, 200, 200, 200]);
  t.equal(statuses[0]?.[1], 'try later');
  t.same([...upstream.ledger().keys()], ['k3', 'k4', 'k5']);
  t.equal(upstream.connections(), 1, 'the client kept its connection through the 503s');
});

t.test('the MCP client cannot initialize while the toxic answers 503, and can once its count is spent', async (t) => {
  const upstream = await startMcpUpstream({ host: '127.0.0.1', port: 0 });
  t.teardown(() => upstream.close());
  const { proxy, port } = await proxyTo(t, portOf(upstream.address));
  proxy.addToxic({ type: 'http_status', attributes: { count: 1 } });
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
  const url = new URL(`http://127.0.0.1:${port}/mcp`);
  const first = new Client({ name: 'test', version: '1' });
  await t.rejects(first.connect(new StreamableHTTPClientTransport(url)), /503/);
  const second = new Client({ name: 'test', version: '1' });
  await second.connect(new StreamableHTTPClientTransport(url));
  t.teardown(() => second.close());
  const tools = await second.listTools();
  t.ok(tools.tools.length > 0, 'the next session works through the same toxic');
});

t.test('a stream that is not HTTP passes through untouched, with one toxic.bypassed event', async (t) => {
  const { registry, proxy, port } = await proxyTo(t, await echoServer(t));
  proxy.addToxic({ type: 'http_status', stream: 'upstream' });
  const seen: FaultlineEvent[] = [];
  registry.events.subscribe((e) => void seen.push(e), ['toxic.bypassed']);
  const socket = await dial(t, port);
  const payload = Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 256));
  socket.write(payload.subarray(0, 100));
  socket.write(payload.subarray(100));
  t.ok((await readBytes(socket, payload.length)).equals(payload), 'every byte echoed, in order');
  t.equal(seen.length, 1);
  t.match(seen[0], { type: 'toxic.bypassed', proxy: 'p', toxic: 'http_status_upstream', toxic_type: 'http_status', reason: /not an HTTP\/1.x request line/ });
});

t.test('with toxicity 0.5 a connection is answered on both of its links or on neither (one draw per connection)', async (t) => {
  const upstream = await httpUpstream(t);
  const { proxy, port } = await proxyTo(t, portOf(upstream.address));
  proxy.addToxic({ type: 'http_status', toxicity: 0.5 });
  const outcomes: string[] = [];
  for (let i = 0; i < 16; i++) {
    const socket = await dial(t, port);
    const reader = responses(socket);
    socket.write(postWithLength(`/ops/t${i}a`, 'a') + postWithLength(`/ops/t${i}b`, 'b'));
    outcomes.push((await reader.wait(2)).map((r) => r.status).join(','));
    socket.destroy();
  }
  t.same([...new Set(outcomes)].sort(), ['200,200', '503,503'], `per connection: ${outcomes.join(' ')}`);
  t.equal(upstream.ledger().size, outcomes.filter((o) => o === '200,200').length * 2);
});

t.test('an update applies to the next request of a live connection and keeps the count', async (t) => {
  const upstream = await httpUpstream(t);
  const { proxy, port } = await proxyTo(t, portOf(upstream.address));
  proxy.addToxic({ name: 'gate', type: 'http_status', attributes: { count: 3 } });
  const socket = await dial(t, port);
  const reader = responses(socket);
  socket.write(getRequest('/ops/x'));
  await reader.wait(1);
  proxy.updateToxic('gate', { attributes: { status: 429, retry_after: 1 } });
  socket.write(getRequest('/ops/x') + getRequest('/ops/x') + getRequest('/ops/x'));
  const got = await reader.wait(4);
  t.same(got.map((r) => r.status), [503, 429, 429, 404], 'the third answer spends the count of 3; the fourth reaches the upstream (404: nothing stored)');
  t.equal(header(got[1] as RawResponse, 'retry-after'), '1');
});

t.test('rate decisions are seeded: the same seed answers the same requests, another seed others', async (t) => {
  const answeredWith = async (seed: string): Promise<string> => {
    const upstream = await httpUpstream(t);
    const { proxy, port } = await proxyTo(t, portOf(upstream.address), { seed });
    proxy.addToxic({ type: 'http_status', attributes: { rate: 0.5 } });
    const socket = await dial(t, port);
    const reader = responses(socket);
    socket.write(Array.from({ length: 24 }, (_, i) => getRequest(`/ops/s${i}`)).join(''));
    const got = await reader.wait(24);
    socket.destroy();
    return got.map((r) => (r.status === 503 ? 'x' : '.')).join('');
  };
  const first = await answeredWith('seed-a');
  t.equal(await answeredWith('seed-a'), first, `seed-a: ${first}`);
  t.not(await answeredWith('seed-b'), first, 'seed-b decides otherwise');
});
