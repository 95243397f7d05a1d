import { Socket, createServer } from 'node:net';
import t from 'tap';
import { createFrameDecoder, encodeFrame } from '../../harness/frame.js';
import type { Operation } from '../../harness/probes/probe.js';
import { ConnectProbe, TcpProbe } from '../../harness/probes/tcp.js';
import { startEchoUpstream } from '../../harness/upstreams/echo.js';
import { echoServer, listen, portOf, proxyTo, type Teardown } from '../helpers/net.js';

let n = 0;
const op = (kind: Operation['kind'] = 'write', timeoutMs = 3000): Operation => ({ id: `op-${++n}`, kind, payload: `payload ${n}`, timeoutMs });
/** A loaded 2-core machine may be slow to fail, never early. */
const FAST_MS = 1000;

async function rig(t: Teardown) {
  const echo = await startEchoUpstream();
  t.teardown(() => echo.close());
  const { registry, proxy, port } = await proxyTo(t, portOf(echo.address));
  const probe = new TcpProbe({ host: '127.0.0.1', port });
  t.teardown(() => probe.close());
  return { echo, registry, proxy, port, probe };
}

/** Client sockets of this process still open towards `port`. */
function socketsTo(port: number): number {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles.filter((h) => h instanceof Socket && !h.destroyed && h.remotePort === port).length;
}

t.test('tcp probe writes and reads over one kept connection, each ack verified', async (t) => {
  const { echo, proxy, probe } = await rig(t);
  await probe.open();
  const write = op();
  t.match(await probe.send(write), { ok: true });
  t.match(await probe.send(op()), { ok: true });
  t.match(await probe.send({ ...write, kind: 'read' }), { ok: true, value: write.payload }, 'a read returns the payload');
  t.match(await probe.send(op('read')), { ok: false, error: 'rejected: not found' });
  t.equal(echo.ledger().get(write.id), 1);
  t.equal(proxy.totals.accepted, 1, 'one connection for every attempt');
});

for (const mode of ['reset', 'close'] as const) {
  t.test(`drop (${mode}) fails the next attempt at once and nothing is applied`, async (t) => {
    const { echo, proxy, probe } = await rig(t);
    t.match(await probe.send(op()), { ok: true });
    proxy.addToxic({ type: 'drop', attributes: { mode } });
    const failed = op();
    const attempt = await probe.send(failed);
    t.match(attempt, { ok: false, error: mode === 'reset' ? 'ECONNRESET' : 'closed' });
    t.ok(attempt.end - attempt.start < FAST_MS, `detected in ${(attempt.end - attempt.start).toFixed(0)} ms`);
    t.equal(echo.ledger().get(failed.id), undefined, 'the upstream never saw it');
  });
}

t.test('disabling the proxy ends the kept connection, then refuses; after enabling, the probe reconnects within the attempt', async (t) => {
  const { registry, proxy, probe } = await rig(t);
  t.match(await probe.send(op()), { ok: true });
  await registry.update('p', { enabled: false });
  // The FIN of the torn-down connection may still be in flight: that attempt fails on it.
  t.match(await probe.send(op()), { ok: false, error: /^(closed|ECONNRESET|EPIPE|ECONNREFUSED)$/ });
  t.match(await probe.send(op()), { ok: false, error: 'ECONNREFUSED' });
  await registry.update('p', { enabled: true });
  t.match(await probe.send(op()), { ok: true }, 'healed');
  t.equal(proxy.totals.accepted, 2, 'a new connection after the heal');
});

t.test('blackhole on both streams: the attempt times out at op.timeoutMs, and the same connection resumes after the heal', async (t) => {
  const { echo, proxy, probe } = await rig(t);
  t.match(await probe.send(op()), { ok: true });
  proxy.addToxic({ type: 'blackhole', stream: 'upstream' });
  proxy.addToxic({ type: 'blackhole', stream: 'downstream' });
  const lost = op('write', 400);
  const attempt = await probe.send(lost);
  t.match(attempt, { ok: false, error: 'timeout' });
  const took = attempt.end - attempt.start;
  t.ok(took >= 395 && took < 400 + FAST_MS, `timed out after ${took.toFixed(0)} ms`);
  t.equal(echo.ledger().get(lost.id), undefined, 'the frame was swallowed');
  proxy.removeToxic('blackhole_upstream');
  proxy.removeToxic('blackhole_downstream');
  t.match(await probe.send(op()), { ok: true }, 'the next frame gets its ack');
  t.equal(proxy.totals.accepted, 1, 'on the same connection');
});

t.test('reset_peer downstream: the write is applied but the probe sees ECONNRESET', async (t) => {
  const { echo, proxy, probe } = await rig(t);
  t.match(await probe.send(op()), { ok: true });
  proxy.addToxic({ type: 'reset_peer', stream: 'downstream', attributes: { timeout: 0 } });
  const unacked = op();
  t.match(await probe.send(unacked), { ok: false, error: 'ECONNRESET' });
  t.equal(echo.ledger().get(unacked.id), 1, 'applied but unacknowledged');
  proxy.removeToxic('reset_peer_downstream');
  t.match(await probe.send(op()), { ok: true }, 'reconnects after the heal');
});

t.test('an ack that fails its checksum is reported as checksum', async (t) => {
  const port = await listen(
    t,
    createServer((socket) => {
      const decoder = createFrameDecoder();
      socket.on('data', (chunk: Buffer) => {
        for (const { frame } of decoder.push(chunk)) {
          const ack = encodeFrame({ ...frame, type: 'ack', payload: '1' });
          ack[ack.length - 1] ^= 0x01;
          socket.write(ack);
        }
      });
    }),
  );
  const probe = new TcpProbe({ host: '127.0.0.1', port });
  t.teardown(() => probe.close());
  t.match(await probe.send(op()), { ok: false, error: 'checksum' });
});

t.test('after close() the probe holds no socket and the upstream sees none', async (t) => {
  const { echo, port, probe } = await rig(t);
  t.match(await probe.send(op()), { ok: true });
  t.equal(socketsTo(port), 1);
  await probe.close();
  t.equal(socketsTo(port), 0, 'no client socket left');
  const end = performance.now() + 2000;
  while (echo.connections() > 0 && performance.now() < end) await new Promise((r) => setTimeout(r, 10));
  t.equal(echo.connections(), 0, 'the proxy closed the upstream side too');
});

t.test('connect probe: fresh connection per attempt, with or without an expected reply', async (t) => {
  const { registry, proxy, port } = await proxyTo(t, await echoServer(t));
  const probe = new ConnectProbe({ host: '127.0.0.1', port, send: 'ping', expect: 'ping' });
  const quiet = new ConnectProbe({ host: '127.0.0.1', port, holdMs: 50 });
  t.teardown(() => Promise.all([probe.close(), quiet.close()]));
  t.match(await probe.send(op()), { ok: true, value: 'ping' });
  t.match(await quiet.send(op()), { ok: true });
  t.equal(proxy.totals.accepted, 2);
  proxy.addToxic({ type: 'drop', attributes: { mode: 'reset' } });
  t.match(await quiet.send(op()), { ok: false, error: 'ECONNRESET' }, 'accepted then reset is a failure');
  proxy.updateToxic('drop_downstream', { attributes: { mode: 'close' } });
  t.match(await quiet.send(op()), { ok: false, error: 'closed' }, 'accepted then closed is a failure');
  proxy.removeToxic('drop_downstream');
  proxy.addToxic({ type: 'blackhole', stream: 'upstream' });
  t.match(await probe.send(op('write', 300)), { ok: false, error: 'timeout' });
  await registry.update('p', { enabled: false });
  t.match(await probe.send(op()), { ok: false, error: 'ECONNREFUSED' });
  t.equal(socketsTo(port), 0, 'every attempt closed its socket');
});
