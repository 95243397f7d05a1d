/** Runs MCP scenarios end to end (an in-process faultline server, the demo MCP server set up as asked, the mcp probe) and checks their reports. */
import type { Test } from 'tap';
import { builtinScenarios, MCP_SCENARIOS } from '../../harness/builtins.js';
import { consoleDetails } from '../../harness/reporters/console.js';
import { renderHtml } from '../../harness/reporters/html.js';
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
  // A short SSE retry keeps the resumption of double_disconnect_resume well inside its 600 ms between events.
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

/** Checks the HTML report and the console details show the MCP figures of `results`: a stream timeline per call, with every mark. */
export function checkMcpReports(t: Test, results: readonly ScenarioResult[]): void {
  const html = renderHtml(results);
  const count = (needle: string): number => html.split(needle).length - 1;
  const calls = results.flatMap((r) => r.mcp_calls);
  t.equal(count('<svg class="call-stream"'), calls.length, 'a stream timeline per call');
  const steps = calls.flatMap((c) => c.requests).reduce((n, q) => n + (q.server?.steps.length ?? 0), 0);
  t.equal(count('class="srv-step"'), steps, 'a mark per step the server sent');
  const arrived = results.flatMap((r) => r.timeline).filter((e) => e.type === 'mcp' && e.kind === 'event' && e.message === 'progress' && e.call !== undefined);
  t.equal(count('class="cli-step"'), arrived.length, 'a mark per progress message that reached the client');
  const replayed = results.flatMap((r) => r.timeline).filter((e) => e.type === 'mcp' && e.kind === 'event' && e.call !== undefined && e.replayed);
  t.equal(count('data-replayed="true"'), replayed.length, 'what came on a resumed stream is marked');
  const details = consoleDetails(results);
  for (const r of results) {
    t.match(html, `<dt>MCP protocol spoken</dt><dd>${r.mcp_protocol}</dd>`, `${r.test_name}: the HTML names the protocol`);
    t.match(details, `mcp ${r.mcp_protocol} (${r.mcp_sdk}): streams resumed ${r.resumed_streams}, events replayed ${r.replayed_events}`, `${r.test_name}: the console too`);
    for (const d of r.known_defects) {
      t.match(html, `<b>${d.id}</b>`, `${r.test_name}: the HTML names ${d.id}`);
      t.match(details, `known defect ${d.id}`, `${r.test_name}: the console names ${d.id}`);
    }
  }
}
