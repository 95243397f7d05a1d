/**
 * The harness as a library: run partition scenarios from code and get the results object.
 *
 *   import { startServer } from 'faultline';
 *   import { runScenarios, startMcpUpstream } from 'faultline/harness';
 *   const server = await startServer({ port: 0 });
 *   const mcp = await startMcpUpstream();
 *   const results = await runScenarios({
 *     proxyUrl: server.url, probe: 'mcp',
 *     upstream: { address: mcp.address, ledger: async () => mcp.ledger(), notify: () => mcp.notify() },
 *   });
 *
 * `probe` is a built-in name or a factory `(target) => Probe` for your own client, in code or as an
 * external process (`clientProbes('python3 my-client.py')`).
 */
export { runScenarios, type RunScenariosOptions, type ProbeKind, type ProbeFactory, type ProbeTarget, type UpstreamTarget } from './run-scenarios.js';
export { runScenario, type RunContext, type PathTarget, type Progress } from './runner.js';
export type { ScenarioResult, ReadableResult, FaultWindowResult } from './result-schema.js';
export { parseScenario, loadScenarioFile, ScenarioError, type Scenario, type Step, type Policy, type Flag } from './scenario.js';
export { builtinScenarios, BUILTIN_SCENARIOS, MCP_SCENARIOS, STDIO_SCENARIOS, SUITES, type Suite } from './builtins.js';
export { Controller } from './controller.js';
export { consoleSummary, consoleDetails, windowsTable } from './reporters/console.js';
export { targetMet, runExitCode, type ExitOn } from './verdict.js';
export { historyOf, writeHistory, type HistoryOp } from './reporters/history.js';
export { resultSchema, resultsJsonSchema, readResults } from './result-schema.js';
export { writeResults, resultsFileName, DEFAULT_OUT_DIR } from './reporters/json.js';
export { renderJunit } from './reporters/junit.js';
export type { Reconciliation } from './reconcile.js';
export type { Probe, Operation, Attempt, TransportEvent, ClientEvent } from './probes/probe.js';
export { clientProbes, ClientProbe, type ClientProbeOptions } from './probes/client.js';
export type { ClientReport, ClientResult } from './result-client-schema.js';
export { McpProbe } from './probes/mcp.js';
export { McpModernProbe } from './probes/mcp-modern.js';
export { McpAutoProbe } from './probes/mcp-auto.js';
export { MCP_PROTOCOLS, type McpProtocol, type CallLedgerSnapshot, type Defect } from './mcp-schema.js';
export { HttpProbe } from './probes/http.js';
export { TcpProbe, ConnectProbe } from './probes/tcp.js';
export type { Upstream, Ledger } from './upstreams/upstream.js';
export { startMcpUpstream, type McpUpstream, type McpUpstreamOptions } from './upstreams/mcp.js';
export { startHttpUpstream } from './upstreams/http.js';
export { startEchoUpstream } from './upstreams/echo.js';
export { fetchLedger } from './upstreams/ledger.js';
export { parseLedgerDocument } from './upstreams/ledger-document.js';
