/** Starts a demo upstream by kind (its module loaded on demand, so commands that do not need it start fast). */
import type { McpUpstreamOptions } from './mcp.js';
import type { Upstream } from './upstream.js';

/** The kinds of demo upstream. */
export type UpstreamKind = 'mcp' | 'http' | 'tcp';

/** Starts the demo upstream of `kind` (`mcp` options apply to the mcp upstream only). */
export async function startUpstream(kind: UpstreamKind, options: { host?: string; port?: number; ledgerPort?: number; mcp?: McpUpstreamOptions } = {}): Promise<Upstream> {
  if (kind === 'mcp') return (await import('./mcp.js')).startMcpUpstream({ ...options.mcp, ...(options.host ? { host: options.host } : {}), ...(options.port === undefined ? {} : { port: options.port }) });
  if (kind === 'http') return (await import('./http.js')).startHttpUpstream(options);
  return (await import('./echo.js')).startEchoUpstream(options);
}
