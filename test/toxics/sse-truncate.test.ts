/** sse_truncate and http_delay_headers on real sockets against the demo MCP and HTTP upstreams. */
import t from 'tap';
import { Agent, request } from 'node:http';
import { startHttpUpstream } from '../../harness/upstreams/http.js';
import { startMcpUpstream } from '../../harness/upstreams/mcp.js';
import { portOf, proxyTo, type Teardown } from '../helpers/net.js';
import { assertTiming, watchLateness } from '../helpers/lateness.js';

async function mcpProxy(t: Teardown) {
  const upstream = await startMcpUpstream({ host: '127.0.0.1', port: 0 });
  t.teardown(() => upstream.close());
  const proxied = await proxyTo(t, portOf(upstream.address));
  return { upstream, ...proxied, url: `http://127.0.0.1:${proxied.port}/mcp` };
}

const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});

/** POSTs `body` to `url` and reads the response body until it ends or breaks: the text, and how it ended. */
async function readStream(url: string, body: string): Promise<{ status: number; type: string | null; text: string; ending: string }> {
  const response = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' } });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (let part = await reader.read(); !part.done; part = await reader.read()) text += decoder.decode(part.value, { stream: true });
    return { status: response.status, type: response.headers.get('content-type'), text, ending: 'complete' };
  } catch (err) {
    return { status: response.status, type: response.headers.get('content-type'), text, ending: String((err as Error).cause ?? err) };
  }
}

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
  const errors: string[] = [];
  client.onerror = (err) => void errors.push(err.message);
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  t.teardown(() => client.close());
  const trips: string[] = [];
  proxy.addToxic({ type: 'sse_truncate', attributes: { events: 2, partial_bytes: 10, count: 1 } });
  registry.events.subscribe((e) => void (e.type === 'fault.tripped' && trips.push(e.detail)), ['fault.tripped']);
  const progress: number[] = [];
  const args = { id: 'long', payload: 'x', steps: 5, interval_ms: 10 };
  await t.rejects(client.callTool({ name: 'stream', arguments: args }, undefined, { timeout: 2000, onprogress: (p) => void progress.push(p.progress) }));
  t.same(progress, [1, 2], 'two complete events, the third cut');
  t.match(trips, [/^sse_truncate after 2 events and 10 bytes of the next \(close\)$/]);
  const again = await client.callTool({ name: 'stream', arguments: { ...args, id: 'again' } }, undefined, { onprogress: (p) => void progress.push(p.progress) });
  t.notOk(again.isError, 'count 1: the next streamed call is left alone');
  t.same(progress.slice(2), [1, 2, 3, 4, 5]);
});

t.test('http_delay_headers delays each response head of a keep-alive connection by delay ms', async (t) => {
  const upstream = await startHttpUpstream({ host: '127.0.0.1', port: 0 });
  t.teardown(() => upstream.close());
  const { proxy, port } = await proxyTo(t, portOf(upstream.address));
  proxy.addToxic({ type: 'http_delay_headers', attributes: { delay: 300 } });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  t.teardown(() => agent.destroy());
  for (let i = 0; i < 3; i++) {
    const watch = watchLateness(t);
    const started = performance.now();
    const [status, body] = await new Promise<[number, string]>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: `/ops/d${i}`, method: 'POST', agent }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve([res.statusCode ?? 0, text]));
      });
      req.on('error', reject);
      req.end('v');
    });
    assertTiming(t, performance.now() - started, 300, 300, watch, `response ${i}`);
    watch.stop();
    t.same([status, JSON.parse(body)], [200, { id: `d${i}`, applied: 1 }]);
  }
  t.equal(upstream.connections(), 1);
});

t.test('sse_truncate in reset mode resets the connection mid-event', async (t) => {
  const { proxy, url } = await mcpProxy(t);
  proxy.addToxic({ type: 'sse_truncate', attributes: { events: 0, partial_bytes: 3, mode: 'reset' } });
  const cut = await readStream(url, initialize);
  t.not(cut.ending, 'complete', `the stream broke (${cut.ending})`);
  t.ok(cut.text.length <= 3, `at most 3 bytes of the event arrived (${cut.text.length})`);
});

t.test('http_delay_headers delays the MCP server\'s chunked SSE response head; the body follows intact', async (t) => {
  const { proxy, url } = await mcpProxy(t);
  const plain = await readStream(url, initialize);
  proxy.addToxic({ type: 'http_delay_headers', attributes: { delay: 250 } });
  const watch = watchLateness(t);
  const started = performance.now();
  const delayed = await readStream(url, initialize);
  assertTiming(t, performance.now() - started, 250, 250 + 200, watch, 'initialize answered');
  t.same([delayed.ending, delayed.type], ['complete', 'text/event-stream']);
  t.equal(delayed.text.replace(/"sessionId":"[^"]*"/g, ''), plain.text.replace(/"sessionId":"[^"]*"/g, ''), 'the same SSE body');
});
