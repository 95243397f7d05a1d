import { Socket } from 'node:net';
import t from 'tap';
import { McpProbe } from '../../harness/probes/mcp.js';
import type { Operation } from '../../harness/probes/probe.js';
import { startMcpUpstream } from '../../harness/upstreams/mcp.js';
import { portOf, proxyTo, type Teardown } from '../helpers/net.js';

let n = 0;
const op = (kind: Operation['kind'] = 'write', timeoutMs = 3000): Operation => ({ id: `op-${++n}`, kind, payload: `payload ${n}`, timeoutMs });
/** A loaded 2-core machine may be slow to fail, never early. */
const FAST_MS = 1000;

async function rig(t: Teardown, options: Partial<ConstructorParameters<typeof McpProbe>[0]> = {}) {
  const upstream = await startMcpUpstream();
  t.teardown(() => upstream.close());
  const { registry, proxy, port } = await proxyTo(t, portOf(upstream.address));
  const probe = new McpProbe({ url: `http://127.0.0.1:${port}/mcp`, ...options });
  t.teardown(() => probe.close());
  await probe.open();
  return { upstream, registry, proxy, port, probe };
}

t.test('mcp probe records and reads through tools in one session', async (t) => {
  const { upstream, probe } = await rig(t);
  t.equal(probe.stream, 'live', 'open() waits for the standalone SSE stream');
  const write = op();
  t.match(await probe.send(write), { ok: true });
  t.match(await probe.send({ ...write, kind: 'read' }), { ok: true, value: write.payload });
  t.match(await probe.send(op('read')), { ok: false, error: 'tool error: not found' });
  t.equal(upstream.ledger().get(write.id), 1);
  t.equal(upstream.sessions().length, 1);
});

t.test('tool names and argument templates are configurable for real servers', async (t) => {
  const { upstream, probe } = await rig(t, {
    write: { tool: 'record', args: { id: 'user-{id}', payload: '{payload}!' } },
    read: { tool: 'read', args: { id: 'user-{id}' } },
  });
  const write = op();
  t.match(await probe.send(write), { ok: true });
  t.match(await probe.send({ ...write, kind: 'read' }), { ok: true, value: `${write.payload}!` });
  t.equal(upstream.ledger().get(`user-${write.id}`), 1);
});

for (const mode of ['reset', 'close'] as const) {
  t.test(`drop (${mode}) fails the tool call at once and nothing is applied`, async (t) => {
    const { upstream, proxy, probe } = await rig(t);
    t.match(await probe.send(op()), { ok: true });
    proxy.addToxic({ type: 'drop', attributes: { mode } });
    const failed = op();
    const attempt = await probe.send(failed);
    t.match(attempt, { ok: false, error: mode === 'reset' ? 'ECONNRESET' : 'closed' });
    t.ok(attempt.end - attempt.start < FAST_MS, `detected in ${(attempt.end - attempt.start).toFixed(0)} ms`);
    t.equal(upstream.ledger().get(failed.id), undefined);
    proxy.removeToxic('drop_downstream');
    t.match(await probe.send(op()), { ok: true }, 'the same session works after the heal');
    t.equal(upstream.sessions().length, 1);
  });
}

t.test('a disabled proxy: the pooled connection ends, then ECONNREFUSED; enabling heals', async (t) => {
  const { registry, probe } = await rig(t);
  t.match(await probe.send(op()), { ok: true });
  await registry.update('p', { enabled: false });
  t.match(await probe.send(op()), { ok: false, error: /^(closed|ECONNRESET|ECONNREFUSED)$/ });
  const refused = await probe.send(op());
  t.match(refused, { ok: false, error: 'ECONNREFUSED' });
  t.ok(refused.end - refused.start < FAST_MS);
  await registry.update('p', { enabled: true });
  t.match(await probe.send(op()), { ok: true });
});

t.test('blackhole on both streams: nothing is reported until the request timeout', async (t) => {
  const { upstream, proxy, probe } = await rig(t);
  t.match(await probe.send(op()), { ok: true });
  proxy.addToxic({ type: 'blackhole', stream: 'upstream' });
  proxy.addToxic({ type: 'blackhole', stream: 'downstream' });
  const lost = op('write', 500);
  const attempt = await probe.send(lost);
  t.match(attempt, { ok: false, error: 'timeout' });
  const took = attempt.end - attempt.start;
  t.ok(took >= 495 && took < 500 + FAST_MS, `timed out after ${took.toFixed(0)} ms`);
  t.equal(upstream.ledger().get(lost.id), undefined, 'the request never reached the server');
  proxy.removeToxic('blackhole_upstream');
  proxy.removeToxic('blackhole_downstream');
  t.match(await probe.send(op()), { ok: true }, 'a new connection after the heal');
});

t.test('reset_peer downstream: the tool call is applied but the client sees ECONNRESET', async (t) => {
  const { upstream, proxy, probe } = await rig(t);
  t.match(await probe.send(op()), { ok: true });
  proxy.addToxic({ type: 'reset_peer', stream: 'downstream', attributes: { timeout: 0 } });
  const unacked = op();
  const attempt = await probe.send(unacked);
  t.match(attempt, { ok: false, error: 'ECONNRESET' });
  t.ok(attempt.end - attempt.start < FAST_MS);
  t.equal(upstream.ledger().get(unacked.id), 1, 'applied but unacknowledged');
});

t.test('a session the server forgot fails with http 404, and the next attempt opens a new one', async (t) => {
  const { upstream, probe } = await rig(t);
  const [first] = upstream.sessions();
  t.match(await probe.send(op()), { ok: true });
  await upstream.endSessions();
  const failed = op();
  t.match(await probe.send(failed), { ok: false, error: 'http 404' });
  t.equal(upstream.ledger().get(failed.id), undefined);
  const retried = op();
  t.match(await probe.send(retried), { ok: true }, 'reconnected within the attempt');
  t.equal(probe.recoveries.replaced, 1, 'a new session');
  t.not(upstream.sessions()[0], first);
  t.equal(upstream.ledger().get(retried.id), 1);
});

t.test('an unreachable server: open() rejects and send() keeps trying to initialise', async (t) => {
  const { registry, proxy, port, probe } = await rig(t);
  await probe.close();
  proxy.addToxic({ type: 'drop' });
  const fresh = new McpProbe({ url: `http://127.0.0.1:${port}/mcp` });
  t.teardown(() => fresh.close());
  await t.rejects(fresh.open());
  t.match(await fresh.send(op()), { ok: false, error: 'ECONNRESET' });
  await registry.update('p', { enabled: false });
  t.match(await fresh.send(op()), { ok: false, error: 'ECONNREFUSED' });
  await registry.update('p', { enabled: true });
  proxy.removeToxic('drop_downstream');
  t.match(await fresh.send(op()), { ok: true }, 'the first attempt after the heal initialises and calls');
});

t.test('after close() the probe holds no socket and the upstream sees none', async (t) => {
  const { upstream, proxy, port, probe } = await rig(t);
  t.match(await probe.send(op()), { ok: true });
  proxy.addToxic({ type: 'blackhole', stream: 'upstream' });
  t.match(await probe.send(op('write', 200)), { ok: false, error: 'timeout' });
  t.ok(proxy.connections.length >= 2, 'the SSE stream and a hung POST are open');
  await probe.close();
  await new Promise((r) => setImmediate(r));
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  t.equal(handles.filter((h) => h instanceof Socket && !h.destroyed && h.remotePort === port).length, 0, 'no client socket left');
  // The blackhole holds back our FIN too (the server cannot tell we left); removing it passes it on.
  proxy.removeToxic('blackhole_upstream');
  const end = performance.now() + 2000;
  while ((proxy.connections.length > 0 || upstream.connections() > 0) && performance.now() < end) await new Promise((r) => setTimeout(r, 10));
  t.equal(proxy.connections.length, 0, 'the proxy saw every connection close');
  t.equal(upstream.connections(), 0, 'and so did the upstream');
});
