import { createServer, type IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import t from 'tap';
import { HttpProbe } from '../../harness/probes/http.js';
import type { Operation } from '../../harness/probes/probe.js';
import { readBody, startHttpUpstream } from '../../harness/upstreams/http.js';
import { listen, portOf, proxyTo, type Teardown } from '../helpers/net.js';

let n = 0;
const op = (kind: Operation['kind'] = 'write', timeoutMs = 3000): Operation => ({ id: `op/${++n}`, kind, payload: `payload ${n}`, timeoutMs });
/** A loaded 2-core machine may be slow to fail, never early. */
const FAST_MS = 1000;

async function rig(t: Teardown) {
  const upstream = await startHttpUpstream();
  t.teardown(() => upstream.close());
  const { registry, proxy, port } = await proxyTo(t, portOf(upstream.address));
  const probe = new HttpProbe({ url: `http://127.0.0.1:${port}` });
  t.teardown(() => probe.close());
  return { upstream, registry, proxy, port, probe };
}

function socketsTo(port: number): number {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles.filter((h) => h instanceof Socket && !h.destroyed && h.remotePort === port).length;
}

t.test('http probe writes with POST and reads with GET over one keep-alive connection', async (t) => {
  const { upstream, proxy, probe } = await rig(t);
  await probe.open();
  const write = op();
  t.match(await probe.send(write), { ok: true });
  t.match(await probe.send(op()), { ok: true });
  t.match(await probe.send({ ...write, kind: 'read' }), { ok: true, value: write.payload }, 'the id is URL-encoded in the path');
  t.match(await probe.send(op('read')), { ok: false, error: 'http 404' });
  t.equal(upstream.ledger().get(write.id), 1);
  t.equal(proxy.totals.accepted, 1, 'the agent reused one connection');
});

t.test('templates address any service: method, path and body with {id} and {payload}', async (t) => {
  const seen: Array<{ method?: string; url?: string; body: string }> = [];
  const port = await listen(
    t,
    createServer(async (req: IncomingMessage, res) => {
      seen.push({ method: req.method, url: req.url, body: await readBody(req) });
      res.writeHead(req.url?.startsWith('/fail') ? 503 : 200).end('fine');
    }),
  );
  const probe = new HttpProbe({
    url: `http://127.0.0.1:${port}/`,
    write: { method: 'PUT', path: '/kv/{id}?v=1', body: '{"key":"{id}","value":"{payload}"}', headers: { 'content-type': 'application/json' } },
    read: { path: '/fail/{id}' },
  });
  t.teardown(() => probe.close());
  t.match(await probe.send({ id: 'a b', kind: 'write', payload: 'x', timeoutMs: 2000 }), { ok: true });
  t.match(await probe.send({ id: 'a', kind: 'read', payload: '', timeoutMs: 2000 }), { ok: false, error: 'http 503' });
  t.same(seen, [
    { method: 'PUT', url: '/kv/a%20b?v=1', body: '{"key":"a b","value":"x"}' },
    { method: 'GET', url: '/fail/a', body: '' },
  ]);
});

for (const mode of ['reset', 'close'] as const) {
  t.test(`drop (${mode}) fails the next attempt at once and nothing is applied`, async (t) => {
    const { upstream, proxy, probe } = await rig(t);
    t.match(await probe.send(op()), { ok: true });
    proxy.addToxic({ type: 'drop', attributes: { mode } });
    const failed = op();
    const attempt = await probe.send(failed);
    t.match(attempt, { ok: false, error: mode === 'reset' ? 'ECONNRESET' : 'closed' });
    t.ok(attempt.end - attempt.start < FAST_MS, `detected in ${(attempt.end - attempt.start).toFixed(0)} ms`);
    t.equal(upstream.ledger().get(failed.id), undefined, 'the upstream never saw it');
    proxy.removeToxic('drop_downstream');
    t.match(await probe.send(op()), { ok: true }, 'the next attempt after the heal succeeds');
  });
}

t.test('disabling the proxy closes the pooled connection, then refuses; enabling heals', async (t) => {
  const { registry, probe } = await rig(t);
  t.match(await probe.send(op()), { ok: true });
  await registry.update('p', { enabled: false });
  // The pooled socket's FIN may still be in flight: that attempt fails on it ("socket hang up").
  t.match(await probe.send(op()), { ok: false, error: /^(closed|ECONNRESET|ECONNREFUSED)$/ });
  t.match(await probe.send(op()), { ok: false, error: 'ECONNREFUSED' });
  await registry.update('p', { enabled: true });
  t.match(await probe.send(op()), { ok: true });
});

t.test('blackhole on both streams: the attempt times out at op.timeoutMs and the request is abandoned', async (t) => {
  const { upstream, proxy, port, probe } = await rig(t);
  t.match(await probe.send(op()), { ok: true });
  proxy.addToxic({ type: 'blackhole', stream: 'upstream' });
  proxy.addToxic({ type: 'blackhole', stream: 'downstream' });
  const lost = op('write', 400);
  const attempt = await probe.send(lost);
  t.match(attempt, { ok: false, error: 'timeout' });
  const took = attempt.end - attempt.start;
  t.ok(took >= 395 && took < 400 + FAST_MS, `timed out after ${took.toFixed(0)} ms`);
  t.equal(upstream.ledger().get(lost.id), undefined);
  t.equal(socketsTo(port), 0, 'the timed-out socket was destroyed, not returned to the pool');
  proxy.removeToxic('blackhole_upstream');
  proxy.removeToxic('blackhole_downstream');
  t.match(await probe.send(op()), { ok: true }, 'a new connection after the heal');
});

t.test('reset_peer downstream: the write is applied but the probe sees ECONNRESET', async (t) => {
  const { upstream, proxy, probe } = await rig(t);
  proxy.addToxic({ type: 'reset_peer', stream: 'downstream', attributes: { timeout: 0 } });
  const unacked = op();
  t.match(await probe.send(unacked), { ok: false, error: 'ECONNRESET' });
  t.equal(upstream.ledger().get(unacked.id), 1, 'applied but unacknowledged');
});

t.test('after close() the probe holds no socket and the upstream sees none', async (t) => {
  const { upstream, proxy, port, probe } = await rig(t);
  t.match(await probe.send(op()), { ok: true });
  t.equal(proxy.connections.length, 1, 'one idle keep-alive connection (the agent unrefs it, so no active handle)');
  await probe.close();
  await new Promise((r) => setImmediate(r));
  t.equal(socketsTo(port), 0, 'no client socket left');
  const end = performance.now() + 2000;
  while ((proxy.connections.length > 0 || upstream.connections() > 0) && performance.now() < end) await new Promise((r) => setTimeout(r, 10));
  t.equal(proxy.connections.length, 0, 'the proxy saw the connection close');
  t.equal(upstream.connections(), 0, 'and so did the upstream');
});
