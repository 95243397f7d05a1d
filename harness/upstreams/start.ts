/** Starts a demo upstream by kind (its module loaded on demand, so commands that do not need it start fast). */
import type { Upstream } from './upstream.js';

/** The kinds of demo upstream. */
export type UpstreamKind = 'mcp' | 'http' | 'tcp';

/** Starts the demo upstream of `kind`. */
export async function startUpstream(kind: UpstreamKind, options: { host?: string; port?: number; ledgerPort?: number } = {}): Promise<Upstream> {
  if (kind === 'mcp') return (await import('./mcp.js')).startMcpUpstream(options);
  if (kind === 'http') return (await import('./http.js')).startHttpUpstream(options);
  return (await import('./echo.js')).startEchoUpstream(options);
}
