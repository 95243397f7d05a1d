import { get, type IncomingMessage } from 'node:http';
import t from 'tap';
import { McpProbe, SDK_RECONNECTION, type StreamState } from '../../harness/probes/mcp.js';
import type { Operation } from '../../harness/probes/probe.js';
import { startMcpUpstream } from '../../harness/upstreams/mcp.js';
import { portOf, proxyTo, type Teardown } from '../helpers/net.js';

let n = 0;
const op = (): Operation => ({ id: `op-${++n}`, kind: 'write', payload: `payload ${n}`, timeoutMs: 3000 });
/** The SDK's reconnection, scaled down: retries after 50 ms and 75 ms, then gives up (~125 ms). */
const FAST_RECONNECTION = { ...SDK_RECONNECTION, initialReconnectionDelay: 50 };
const CHECK_MS = 500;

async function rig(t: Teardown, reconnection = FAST_RECONNECTION) {
  const upstream = await startMcpUpstream();
  t.teardown(() => upstream.close());
  const { registry, proxy, port } = await proxyTo(t, portOf(upstream.address));
  const probe = new McpProbe({ url: `http://127.0.0.1:${port}/mcp`, reconnection });
  t.teardown(() => probe.close());
  await probe.open();
  const notified = (): Promise<boolean> => probe.checkNotifications(() => upstream.notify(), CHECK_MS);
  return { upstream, registry, proxy, probe, notified };
}

/** Resolves once `probe.stream` is `state`; rejects after `ms`. */
async function streamBecomes(probe: McpProbe, state: StreamState, ms = 5000): Promise<number> {
  const start = performance.now();
  while (probe.stream !== state) {
    if (performance.now() - start > ms) throw new Error(`stream is ${probe.stream}, not ${state}, after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return performance.now() - start;
}

t.test('notifications arrive over the standalone SSE stream before any partition', async (t) => {
  const { probe, notified } = await rig(t);
  t.equal(probe.stream, 'live');
  t.equal(await notified(), true);
});

t.test('with the SDK defaults, a broken stream is given up after two retries (1 s + 1.5 s)', async (t) => {
  const { proxy, probe } = await rig(t, SDK_RECONNECTION);
  proxy.addToxic({ type: 'drop', attributes: { mode: 'reset' } });
  await streamBecomes(probe, 'retrying');
  const took = await streamBecomes(probe, 'lost', 6000);
  t.ok(took >= 2400 && took < 4500, `lost ${took.toFixed(0)} ms after the cut`);
});

t.test('a partition longer than the retries loses the stream for good; checkNotifications re-opens it in the session', async (t) => {
  const { upstream, proxy, probe, notified } = await rig(t);
  proxy.addToxic({ type: 'drop', attributes: { mode: 'reset' } });
  await streamBecomes(probe, 'lost');
  t.equal(await notified(), false, 'during the partition the re-open fails too');
  proxy.removeToxic('drop_downstream');
  await new Promise((r) => setTimeout(r, 300));
  t.equal(probe.stream, 'lost', 'after the heal the SDK does not re-open it by itself');
  t.equal(await notified(), true, 'the probe re-opened it, then the notification arrived');
  t.same(probe.recoveries, { reopened: 1, replaced: 0 }, 'same session');
  t.equal(upstream.sessions().length, 1);
});

t.test('a successful call re-opens a lost stream too (in the background)', async (t) => {
  const { proxy, probe } = await rig(t);
  proxy.addToxic({ type: 'drop', attributes: { mode: 'close' } });
  await streamBecomes(probe, 'lost');
  proxy.removeToxic('drop_downstream');
  t.match(await probe.send(op()), { ok: true });
  await streamBecomes(probe, 'live');
  t.same(probe.recoveries, { reopened: 1, replaced: 0 });
});

t.test('a refused partition (proxy disabled) loses the stream the same way and recovers the same way', async (t) => {
  const { registry, probe, notified } = await rig(t);
  await registry.update('p', { enabled: false });
  await streamBecomes(probe, 'lost');
  await registry.update('p', { enabled: true });
  t.equal(await notified(), true);
  t.same(probe.recoveries, { reopened: 1, replaced: 0 });
});

t.test('a partition shorter than the retries: the SDK re-opens the stream by itself and the check waits for it', async (t) => {
  const { proxy, probe, notified } = await rig(t, { ...SDK_RECONNECTION, initialReconnectionDelay: 400 });
  proxy.addToxic({ type: 'drop', attributes: { mode: 'close' } });
  await streamBecomes(probe, 'retrying');
  proxy.removeToxic('drop_downstream');
  t.equal(probe.stream, 'retrying', 'checked before the SDK retried');
  t.equal(await notified(), true);
  t.same(probe.recoveries, { reopened: 0, replaced: 0 }, 'the SDK did it alone');
});

t.test('blackhole: notifications pushed during it are lost silently; after the heal the same stream delivers again', async (t) => {
  const { proxy, probe, notified } = await rig(t);
  proxy.addToxic({ type: 'blackhole', stream: 'upstream' });
  proxy.addToxic({ type: 'blackhole', stream: 'downstream' });
  t.equal(await notified(), false, 'during the blackhole');
  t.equal(probe.stream, 'live', 'the client cannot tell: the stream looks open');
  proxy.removeToxic('blackhole_upstream');
  proxy.removeToxic('blackhole_downstream');
  t.equal(await notified(), true, 'after the heal');
  t.same(probe.recoveries, { reopened: 0, replaced: 0 }, 'with no recovery at all');
});

t.test('a server that still holds the dead stream refuses the re-open (409): the probe replaces the session', async (t) => {
  const { upstream, proxy, probe, notified } = await rig(t);
  const [first] = upstream.sessions() as [string];
  proxy.addToxic({ type: 'drop', attributes: { mode: 'reset' } });
  await streamBecomes(probe, 'lost');
  // Stand in for a half-dead stream the server never saw close: a GET of this session holds its slot.
  const holder = await openStream(upstream.url, first);
  t.teardown(() => holder.destroy());
  proxy.removeToxic('drop_downstream');
  t.equal(await notified(), true, 'the re-open was refused, so the check opened a new session');
  t.same(probe.recoveries, { reopened: 0, replaced: 1 });
  await new Promise<void>((resolve) => (holder.complete ? resolve() : holder.once('end', resolve)));
  t.not(upstream.sessions()[0], first);
  t.equal(upstream.sessions().length, 1, 'the old session was ended with DELETE');
  t.match(await probe.send(op()), { ok: true }, 'calls go to the new session');
});

function openStream(url: string, sessionId: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const headers = { accept: 'text/event-stream', 'mcp-session-id': sessionId };
    get(url, { agent: false, headers }, (res) => {
      res.resume();
      resolve(res);
    }).on('error', reject);
  });
}
