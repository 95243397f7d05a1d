/**
 * `faultline run [SCENARIO...]`: runs scenarios (all six built-ins by default) against a running
 * proxy server (`--url`, alias `--proxy-url`) and a service the user names, with a built-in probe
 * or the user's own client (`--client CMD`, see client-args.ts). Exit 0 when every
 * scenario met its expectations and the graceful-handling target is met, 1 when not, 2 on bad
 * input (nothing run).
 */
import type { CommandModule } from 'yargs';
import { CliError } from '../../cli/errors.js';
import type { ProbeKind, UpstreamTarget } from '../run-scenarios.js';
import { ScenarioError } from '../scenario.js';
import { fetchCallLedger } from '../upstreams/call-ledger.js';
import { fetchLedger } from '../upstreams/ledger.js';
import { mcpProtocolOption, type McpProtocolArgs } from './mcp-args.js';
import { progressReporter } from '../reporters/progress.js';
import { clientFactory, clientOptions, type ClientArgs } from './client-args.js';
import { outputOptions, report, type OutputArgs } from './output.js';
import { loadScenarios, policyOf, scenarioOptions, type PolicyArgs } from './scenario-args.js';

interface RunArgs extends OutputArgs, PolicyArgs, ClientArgs, McpProtocolArgs {
  token?: string;
  scenarios: string[];
  probe: ProbeKind;
  url: string;
  upstream?: string;
  'stdio-server'?: string;
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
}

function parseJsonFlag(flag: string, text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch (err) {
    throw new CliError(`--${flag}: must be a JSON object (${(err as Error).message})`, 'ERR_INPUT');
  }
}

/** POSTs to `url`; resolves with the notification's number when the server answers `{notice: n}` (faultline's demo server does). */
async function pushNotification(url: string): Promise<number | undefined> {
  const answer = await (await fetch(url, { method: 'POST' })).text();
  try {
    const notice = (JSON.parse(answer) as { notice?: unknown }).notice;
    return typeof notice === 'number' ? notice : undefined;
  } catch {
    return undefined;
  }
}

function upstreamOf(argv: RunArgs): UpstreamTarget {
  const mcpArgs = parseJsonFlag('mcp-args', argv['mcp-args']);
  const ledgerUrl = argv['ledger-url'];
  const notifyUrl = argv['notify-url'];
  const stdio = argv.probe === 'mcp-stdio' ? argv['stdio-server'] : undefined;
  return {
    address: stdio === undefined ? (argv.upstream as string) : `stdio:${stdio.split(/\s+/)[0]}`,
    // Through the shell, so a command line works as in an mcpServers config; exec, so a kill reaches the server itself.
    ...(stdio === undefined ? {} : { stdioServer: ['/bin/sh', '-c', `exec ${stdio}`] }),
    mcpPath: argv['mcp-path'],
    ...(ledgerUrl ? { ledger: () => fetchLedger(ledgerUrl), calls: () => fetchCallLedger(ledgerUrl) } : {}),
    ...(notifyUrl ? { notify: () => pushNotification(notifyUrl) } : {}),
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

/** `faultline run`. */
export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run [scenarios..]',
  describe: 'Run scenarios (files or built-in names; all built-ins by default) against a proxy server',
  builder: (y) =>
    mcpProtocolOption(clientOptions(scenarioOptions(outputOptions(y))))
      .alias('url', 'proxy-url')
      .option('probe', { choices: ['mcp', 'mcp-stdio', 'http', 'tcp', 'connect'] as const, default: 'mcp' as const, describe: 'client to drive (mcp-stdio: your MCP server over stdio, behind faultline stdio; needs --stdio-server)' })
      .option('upstream', { type: 'string', describe: 'host:port of the service, as the proxy server reaches it (required but with --probe mcp-stdio)' })
      .option('stdio-server', { type: 'string', describe: 'with --probe mcp-stdio: the command line that starts your MCP server (run by /bin/sh)' })
      .check((argv) => {
        if (argv['probe'] === 'mcp-stdio' && !argv['client']) {
          if (!argv['stdio-server']) throw new Error('--probe mcp-stdio needs --stdio-server "CMD ARGS", the command that starts your MCP server');
          return true;
        }
        if (argv['stdio-server'] !== undefined) throw new Error('--stdio-server goes with --probe mcp-stdio only');
        if (!argv['upstream']) throw new Error('Missing required argument: upstream');
        return true;
      })
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
      .option('seed', { type: 'string', default: 'unset', describe: 'recorded in the results (the server\'s --seed decides fault draws)' }) as never,
  handler: async (argv) => {
    const scenarios = await loadScenarios(argv.scenarios, argv.suite);
    const { runScenarios } = await import('../run-scenarios.js');
    const progress = progressReporter(process.stderr, argv.quiet);
    const results = await runScenarios({
      proxyUrl: argv.url,
      probe: argv.client ? clientFactory({ ...argv, client: argv.client }, process.stderr, argv.quiet) : argv.probe,
      upstream: upstreamOf(argv),
      scenarios,
      policy: policyOf(argv),
      seed: argv.seed,
      listenHost: argv['listen-host'],
      ...(argv['mcp-protocol'] ? { mcpProtocol: argv['mcp-protocol'] } : {}),
      onSkip: (scenario, reason) => process.stderr.write(`skipped ${scenario.name}: ${reason}\n`),
      ...(argv.token ? { token: argv.token } : {}),
      ...(argv['probe-host'] ? { probeHost: argv['probe-host'] } : {}),
      ...progress.hooks,
    })
      .catch((err: unknown) => {
        if (err instanceof ScenarioError) throw err;
        throw new CliError(`run failed: ${(err as Error).message}`);
      })
      .finally(() => progress.done());
    process.exitCode = await report(results, argv);
  },
};
