/** http_delay_headers on real sockets against the demo HTTP and MCP upstreams. */
import t from 'tap';
import { Agent, request } from 'node:http';
import { startHttpUpstream } from '../../harness/upstreams/http.js';
import { portOf, proxyTo } from '../helpers/net.js';
import { assertTiming, watchLateness } from '../helpers/lateness.js';
import { initialize, mcpProxy, readStream } from '../helpers/mcp-http.js';

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
