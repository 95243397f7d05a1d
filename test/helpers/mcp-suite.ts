/** Runs MCP scenarios end to end: an in-process faultline server, the demo MCP server set up as asked, the mcp probe. */
import { builtinScenarios, MCP_SCENARIOS } from '../../harness/builtins.js';
import type { McpProtocol } from '../../harness/mcp-schema.js';
import type { ScenarioResult } from '../../harness/result.js';
import { runScenarios } from '../../harness/run-scenarios.js';
import { startMcpUpstream, type McpUpstream, type McpUpstreamOptions } from '../../harness/upstreams/mcp.js';
import { startServer } from '../../proxy/api/server.js';
import type { Teardown } from './net.js';

/** What a suite run gave: the results, the upstream (its ledgers), and the scenarios skipped. */
export interface SuiteRun {
  results: ScenarioResult[];
  upstream: McpUpstream;
  skipped: string[];
}

/** Runs `names` (default the MCP suite) with the probe pinned to `protocol` against a demo MCP server with `server` options. */
export async function runMcpSuite(t: Teardown, protocol: McpProtocol | undefined, server: McpUpstreamOptions = {}, names: readonly string[] = MCP_SCENARIOS): Promise<SuiteRun> {
  const proxy = await startServer({ host: '127.0.0.1', port: 0, seed: '1' });
  t.teardown(() => proxy.close());
  // A short SSE retry keeps the resumption of double_disconnect_resume well inside its 500 ms between events.
  const upstream = await startMcpUpstream({ eventStore: 'faultline', retryMs: 100, ...server });
  t.teardown(() => upstream.close());
  const skipped: string[] = [];
  const results = await runScenarios({
    proxyUrl: proxy.url,
    probe: 'mcp',
    upstream: { address: upstream.address, ledger: async () => upstream.ledger(), notify: () => upstream.notify(), calls: async () => upstream.calls() },
    scenarios: await builtinScenarios(names),
    seed: '1',
    sameProcess: true,
    ...(protocol ? { mcpProtocol: protocol } : {}),
    onSkip: (scenario) => void skipped.push(scenario.name),
  });
  return { results, upstream, skipped };
}
