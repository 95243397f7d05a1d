/**
 * `faultline run [SCENARIO...]`: runs scenarios (all six built-ins by default) against a running
 * proxy server and a service the user names. Exit 0 when the graceful-handling target is met,
 * 1 when not, 2 on bad input.
 */
import { existsSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { CliError, defaultUrl } from '../../proxy/commands/api-client.js';
import { BUILTIN_SCENARIOS, builtinScenarios } from '../builtins.js';
import type { ProbeKind, UpstreamTarget } from '../run-scenarios.js';
import { loadScenarioFile, type Policy, type Scenario } from '../scenario.js';
import { fetchLedger } from '../upstreams/ledger.js';
import { progressReporter } from '../reporters/progress.js';
import { outputOptions, report, type OutputArgs } from './output.js';

interface RunArgs extends OutputArgs {
  token?: string;
  scenarios: string[];
  probe: ProbeKind;
  'proxy-url': string;
  upstream: string;
  'ledger-url'?: string;
  'notify-url'?: string;
  'mcp-path': string;
  'mcp-tool'?: string;
  'mcp-args'?: string;
  'http-method'?: string;
  'http-path'?: string;
  'http-body'?: string;
  'listen-host': string;
  'probe-host'?: string;
  seed: string;
  attempts?: number;
  'timeout-ms'?: number;
  queue?: boolean;
  cache?: boolean;
  'repair-stream'?: boolean;
}

/** Scenario arguments: a file path, or the name of a built-in. */
async function loadScenarios(args: readonly string[]): Promise<Scenario[]> {
  if (args.length === 0) return builtinScenarios();
  const out: Scenario[] = [];
  for (const arg of args) {
    if (!existsSync(arg) && (BUILTIN_SCENARIOS as readonly string[]).includes(arg)) out.push(...(await builtinScenarios([arg])));
    else out.push(await loadScenarioFile(arg));
  }
  return out;
}

function parseJsonFlag(flag: string, text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch (err) {
    throw new CliError(`--${flag}: must be a JSON object (${(err as Error).message})`, 2);
  }
}

function upstreamOf(argv: RunArgs): UpstreamTarget {
  const mcpArgs = parseJsonFlag('mcp-args', argv['mcp-args']);
  const ledgerUrl = argv['ledger-url'];
  const notifyUrl = argv['notify-url'];
  return {
    address: argv.upstream,
    mcpPath: argv['mcp-path'],
    ...(ledgerUrl ? { ledger: () => fetchLedger(ledgerUrl) } : {}),
    ...(notifyUrl ? { notify: async () => void (await fetch(notifyUrl, { method: 'POST' })).body?.cancel() } : {}),
    ...(argv['mcp-tool'] ? { mcpWrite: { tool: argv['mcp-tool'], args: mcpArgs ?? { id: '{id}', payload: '{payload}' } } } : {}),
    ...(argv['http-path'] || argv['http-method'] || argv['http-body']
      ? {
          httpWrite: {
            method: argv['http-method'] ?? 'POST',
            path: argv['http-path'] ?? '/ops/{id}',
            ...(argv['http-body'] === undefined ? {} : { body: argv['http-body'] }),
          },
        }
      : {}),
  };
}

function policyOf(argv: RunArgs): Partial<Policy> {
  const policy: Partial<Policy> = {};
  if (argv.attempts !== undefined) policy.attempts = argv.attempts;
  if (argv['timeout-ms'] !== undefined) policy.timeout_ms = argv['timeout-ms'];
  if (argv.queue !== undefined) policy.queue = argv.queue;
  if (argv.cache !== undefined) policy.cache = argv.cache;
  if (argv['repair-stream'] !== undefined) policy.repair_stream = argv['repair-stream'];
  return policy;
}

/** `faultline run`. */
export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run [scenarios..]',
  describe: 'Run scenarios (files or built-in names; all built-ins by default) against a proxy server',
  builder: (y) =>
    outputOptions(y)
      .positional('scenarios', { type: 'string', array: true, default: [], describe: 'scenario files (.yaml/.json) or built-in names' })
      .option('probe', { choices: ['mcp', 'http', 'tcp', 'connect'] as const, default: 'mcp' as const, describe: 'client to drive' })
      .option('proxy-url', { type: 'string', default: defaultUrl(), describe: 'control API of the faultline (or Toxiproxy) server' })
      .option('upstream', { type: 'string', demandOption: true, describe: 'host:port of the service, as the proxy server reaches it' })
      .option('ledger-url', { type: 'string', describe: 'GET URL of the service\'s ledger (faultline\'s demo upstreams serve /ledger)' })
      .option('notify-url', { type: 'string', describe: 'MCP: POST URL that makes the server push a notification' })
      .option('mcp-path', { type: 'string', default: '/mcp', describe: 'MCP endpoint path' })
      .option('mcp-tool', { type: 'string', describe: 'MCP tool to call for each request (default record)' })
      .option('mcp-args', { type: 'string', describe: 'JSON arguments; "{id}" and "{payload}" are filled in' })
      .option('http-method', { type: 'string', describe: 'HTTP method of each request (default POST)' })
      .option('http-path', { type: 'string', describe: 'HTTP path template (default /ops/{id})' })
      .option('http-body', { type: 'string', describe: 'HTTP body template (default {payload})' })
      .option('listen-host', { type: 'string', default: '127.0.0.1', describe: 'host the scenario proxies listen on (0.0.0.0 across hosts)' })
      .option('probe-host', { type: 'string', describe: 'host the probes connect to (default: the proxy URL\'s host)' })
      .option('seed', { type: 'string', default: 'unset', describe: 'recorded in the results (the server\'s --seed decides fault draws)' })
      .option('attempts', { type: 'number', describe: 'client policy: attempts per request (1 = fail fast)' })
      .option('timeout-ms', { type: 'number', describe: 'client policy: timeout of one attempt' })
      .option('queue', { type: 'boolean', describe: 'client policy: queue failed writes and replay them (--no-queue to disable)' })
      .option('cache', { type: 'boolean', describe: 'client policy: answer failed reads from cache (--no-cache to disable)' })
      .option('repair-stream', { type: 'boolean', describe: 'MCP: re-open a notification stream the SDK gave up on' }) as never,
  handler: async (argv) => {
    const scenarios = await loadScenarios(argv.scenarios);
    const { runScenarios } = await import('../run-scenarios.js');
    const progress = progressReporter(process.stderr, argv.quiet);
    const results = await runScenarios({
      proxyUrl: argv['proxy-url'],
      probe: argv.probe,
      upstream: upstreamOf(argv),
      scenarios,
      policy: policyOf(argv),
      seed: argv.seed,
      listenHost: argv['listen-host'],
      ...(argv.token ? { token: argv.token } : {}),
      ...(argv['probe-host'] ? { probeHost: argv['probe-host'] } : {}),
      ...progress.hooks,
    })
      .catch((err: unknown) => {
        throw new CliError(`run failed: ${(err as Error).message}`);
      })
      .finally(() => progress.done());
    process.exitCode = await report(results, argv);
  },
};
