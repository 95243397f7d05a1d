/** The demo MCP upstream behind a proxy, and raw POSTs to it read as a stream, for the HTTP toxic tests. */
import { startMcpUpstream } from '../../harness/upstreams/mcp.js';
import { portOf, proxyTo, type Teardown } from './net.js';

/** The demo MCP upstream behind proxy `p`; `url` is its endpoint through the proxy. */
export async function mcpProxy(t: Teardown) {
  const upstream = await startMcpUpstream({ host: '127.0.0.1', port: 0 });
  t.teardown(() => upstream.close());
  const proxied = await proxyTo(t, portOf(upstream.address));
  return { upstream, ...proxied, url: `http://127.0.0.1:${proxied.port}/mcp` };
}

/** An initialize request of the 2025-11-25 protocol. */
export const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});

/** POSTs `body` to `url` and reads the response body until it ends or breaks: the text, and how it ended. */
export async function readStream(url: string, body: string): Promise<{ status: number; type: string | null; text: string; ending: string }> {
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
