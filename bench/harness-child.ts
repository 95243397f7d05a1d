/**
 * Child process of the harness-overhead benchmark: a faultline server and the demo http and MCP
 * upstreams, in their own process, so the harness process measured by the parent spends its CPU
 * on the harness alone.
 */
import { startServer } from '../proxy/api/server.js';
import { startUpstream } from '../harness/upstreams/start.js';
import { serve } from './child-rpc.js';

const server = await startServer({ host: '127.0.0.1', port: 0, seed: 'bench' });
const http = await startUpstream('http');
const mcp = await startUpstream('mcp');
serve({
  targets: () => ({ url: server.url, http: { address: http.address, ledger: http.ledgerUrl }, mcp: { address: mcp.address, ledger: mcp.ledgerUrl } }),
});
