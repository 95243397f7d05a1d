/** sse_truncate on real sockets against the demo MCP upstream: raw SSE bytes and an SDK client. */
import t from 'tap';
import { initialize, mcpProxy, readStream } from '../helpers/mcp-http.js';

t.test('sse_truncate cuts the MCP server\'s SSE response partial_bytes into its first event; the response was otherwise intact', async (t) => {
  const { proxy, url } = await mcpProxy(t);
  const whole = await readStream(url, initialize);
  t.equal(whole.type, 'text/event-stream', 'the demo MCP server answers a POST with SSE');
  t.match(whole.text, /\n\n$/);
  proxy.addToxic({ type: 'sse_truncate', attributes: { events: 0, partial_bytes: 7 } });
  const cut = await readStream(url, initialize);
  t.equal(cut.status, 200);
  t.equal(cut.text, whole.text.slice(0, 7), 'exactly 7 bytes of the event');
  t.not(cut.ending, 'complete', `the client sees a broken stream (${cut.ending})`);
});

t.test('an MCP client gets events progress notifications of a streamed tool call, then the stream breaks mid-event', async (t) => {
  const { registry, proxy, url } = await mcpProxy(t);
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
  const client = new Client({ name: 'test', version: '1' });
  // The SDK reports the broken stream through onerror and leaves the call pending: abort it then.
  const broken = new AbortController();
  client.onerror = (err) => broken.abort(err);
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  t.teardown(() => client.close());
  const trips: string[] = [];
  proxy.addToxic({ type: 'sse_truncate', attributes: { events: 2, partial_bytes: 10, count: 1 } });
  registry.events.subscribe((e) => void (e.type === 'fault.tripped' && trips.push(e.detail)), ['fault.tripped']);
  const progress: number[] = [];
  const args = { id: 'long', payload: 'x', steps: 5, interval_ms: 10 };
  const started = performance.now();
  const call = client.callTool({ name: 'stream', arguments: args }, undefined, { signal: broken.signal, timeout: 20_000, onprogress: (p) => void progress.push(p.progress) });
  await t.rejects(call, /SSE stream disconnected|aborted/i);
  t.ok(performance.now() - started < 15_000, 'the break was reported, not waited out');
  t.same(progress, [1, 2], 'two complete events, the third cut');
  t.match(trips, [/^sse_truncate after 2 events and 10 bytes of the next \(close\)$/]);
  const again = await client.callTool({ name: 'stream', arguments: { ...args, id: 'again' } }, undefined, { onprogress: (p) => void progress.push(p.progress) });
  t.notOk(again.isError, 'count 1: the next streamed call is left alone');
  t.same(progress.slice(2), [1, 2, 3, 4, 5]);
});

t.test('sse_truncate in reset mode resets the connection mid-event', async (t) => {
  const { proxy, url } = await mcpProxy(t);
  proxy.addToxic({ type: 'sse_truncate', attributes: { events: 0, partial_bytes: 3, mode: 'reset' } });
  const cut = await readStream(url, initialize);
  t.not(cut.ending, 'complete', `the stream broke (${cut.ending})`);
  t.ok(cut.text.length <= 3, `at most 3 bytes of the event arrived (${cut.text.length})`);
});
