import t from 'tap';
import type { CallCue, CallOperation, McpWireEvent } from '../../harness/probes/call.js';
import { McpProbe } from '../../harness/probes/mcp.js';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { McpModernProbe } from '../../harness/probes/mcp-modern.js';
import { startMcpUpstream, type McpUpstreamOptions } from '../../harness/upstreams/mcp.js';
import { portOf, proxyTo, type Teardown } from '../helpers/net.js';

let n = 0;
const call = (steps = 6, intervalMs = 40, timeoutMs = 8000): CallOperation => ({ id: `call-${++n}`, payload: `payload ${n}`, steps, intervalMs, timeoutMs });

async function rig(t: Teardown, protocol: '2025-11-25' | '2026-07-28', server: McpUpstreamOptions = {}) {
  const upstream = await startMcpUpstream({ eventStore: 'faultline', retryMs: 100, ...server });
  t.teardown(() => upstream.close());
  const { proxy, port } = await proxyTo(t, portOf(upstream.address));
  const url = `http://127.0.0.1:${port}/mcp`;
  const probe = protocol === '2025-11-25' ? new McpProbe({ url }) : new McpModernProbe({ url });
  t.teardown(() => probe.close());
  const wire: McpWireEvent[] = [];
  probe.watchMcp((e) => wire.push(e));
  await probe.open();
  /** Cuts every connection (drop, reset) once the call delivered `after` steps, and lets connections through again `healMs` later. */
  const cutAfter = (after: number, healMs = 30) => (cue: CallCue): void => {
    if (cue.kind !== 'progress' || cue.count !== after) return;
    proxy.addToxic({ type: 'drop', attributes: { mode: 'reset' } });
    setTimeout(() => proxy.removeToxic('drop_downstream'), healMs);
  };
  return { upstream, probe, wire, cutAfter };
}

for (const protocol of ['2025-11-25', '2026-07-28'] as const) {
  t.test(`${protocol}: a long call without faults delivers every step once, in one request`, async (t) => {
    const { upstream, probe, wire } = await rig(t, protocol);
    const op = call();
    const result = await probe.call(op, () => undefined);
    t.match(result, { ok: true });
    t.equal(result.requests.length, 1);
    t.same(result.requests[0]?.delivered, [1, 2, 3, 4, 5, 6]);
    t.equal(probe.mcpFacts().protocol, protocol, 'the protocol spoken, from the wire');
    const [server] = upstream.calls().calls;
    t.equal(server?.request_id, result.requests[0]?.request_id, 'the server ledger names the same JSON-RPC id');
    t.equal(server?.steps.length, 6);
    t.equal(upstream.ledger().get(op.id), 1);
    t.equal(wire.filter((e) => e.message === 'progress').length, 6, 'six progress messages on the wire');
  });
}

t.test('2025-11-25 (SDK 1.32.2): a cut stream is resumed with Last-Event-ID and every step arrives exactly once', async (t) => {
  const { upstream, probe, wire, cutAfter } = await rig(t, '2025-11-25');
  const op = call(6, 60);
  const result = await probe.call(op, cutAfter(2));
  t.match(result, { ok: true });
  t.same(result.requests.map((r) => r.delivered), [[1, 2, 3, 4, 5, 6]], 'one request, all six steps once');
  const resume = wire.find((e) => e.kind === 'resume' && e.stream === 'call');
  t.match(resume, { call: op.id, status: 200 }, 'resumed the call stream');
  t.ok(wire.some((e) => e.kind === 'event' && e.replayed && e.message === 'result'), 'the result came on the resumed stream');
  const [server] = upstream.calls().calls;
  t.not(server?.stream_closed_at, null, 'the server saw the stream close');
  t.equal(server?.aborted_at, null, 'and did not treat it as a cancellation (2025-11-25)');
  t.equal(upstream.ledger().get(op.id), 1);
});

t.test('2026-07-28 (SDK 2.4.0): a cut stream is re-issued with a new request id; the server stopped the first request', async (t) => {
  const { upstream, probe, wire, cutAfter } = await rig(t, '2026-07-28');
  const op = call(6, 60);
  const result = await probe.call(op, cutAfter(2));
  t.match(result, { ok: true });
  t.ok(result.requests.length >= 2, `${result.requests.length} requests`);
  t.equal(new Set(result.requests.map((r) => r.request_id)).size, result.requests.length, 'each with its own id');
  t.same(result.requests.at(-1)?.delivered, [1, 2, 3, 4, 5, 6], 'the re-issued request streams from the start');
  t.ok(result.requests.slice(0, -1).every((r) => r.abandoned), 'the broken ones were abandoned');
  t.ok(wire.some((e) => e.kind === 'reissue' && e.call === op.id));
  const calls = upstream.calls().calls.filter((c) => c.op === op.id);
  const first = calls.find((c) => c.request_id === result.requests[0]?.request_id);
  t.not(first?.stream_closed_at, null, 'the server saw the first stream close');
  t.not(first?.aborted_at, null, 'its handler was aborted');
  t.equal(first?.completed_at, null, 'and stopped: nothing completed');
  t.ok((first?.steps ?? []).every((s) => s.at <= (first?.stream_closed_at ?? 0) + 5), 'no step after the close');
  t.equal(upstream.ledger().get(op.id), 1, 'applied once');
});

t.test('SDK 2.4.0 alone does not re-issue: after its response stream broke the call waits for its timeout', async (t) => {
  const upstream = await startMcpUpstream();
  t.teardown(() => upstream.close());
  const { proxy, port } = await proxyTo(t, portOf(upstream.address));
  const client = new Client({ name: 'bare', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  t.teardown(() => client.close());
  await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`)));
  const onprogress = ({ progress }: { progress: number }): void => {
    if (progress !== 2) return;
    proxy.addToxic({ type: 'drop', attributes: { mode: 'reset' } });
    setTimeout(() => proxy.removeToxic('drop_downstream'), 30);
  };
  const started = performance.now();
  const error = await client.callTool({ name: 'stream', arguments: { id: 'bare-1', payload: 'p', steps: 6, interval_ms: 60 } }, { timeout: 1500, onprogress }).then(
    () => undefined,
    (err: unknown) => err,
  );
  const waited = performance.now() - started;
  t.match(error, { code: 'REQUEST_TIMEOUT' }, 'the call ended with the SDK\'s own timeout');
  t.ok(waited >= 1495, `it waited ${waited.toFixed(0)} ms in all (its timeout: 1500 ms)`);
  t.equal(upstream.calls().calls.filter((c) => c.op === 'bare-1').length, 1, 'one request reached the server: nothing was re-issued');
});
