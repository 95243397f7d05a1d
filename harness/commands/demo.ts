/**
 * `faultline demo` (what `npm start` runs): a faultline server and the demo upstreams in this
 * process on free loopback ports, then the six built-in scenarios (or `--suite mcp`, `--suite
 * clients` with the http probe, or those
 * named) through real sockets, with the MCP probe (or `--probe all` for tcp, http and mcp).
 * Nothing to configure. `--mcp-protocol` pins the generation both the probe and the demo MCP
 * server speak. Exit codes as `run`: 0 all passed and the target met, 1 not, 2 bad input.
 */
import type { CommandModule } from 'yargs';
import type { UpstreamTarget } from '../run-scenarios.js';
import type { ScenarioResult } from '../result.js';
import { startUpstream } from '../upstreams/start.js';
import { progressReporter } from '../reporters/progress.js';
import { outputOptions, report, type OutputArgs } from './output.js';
import { mcpProtocolOption, mcpServerOptions, mcpUpstreamOptions, type McpProtocolArgs, type McpServerArgs } from './mcp-args.js';
import { loadScenarios, policyOf, scenarioOptions, type PolicyArgs } from './scenario-args.js';

interface DemoArgs extends OutputArgs, PolicyArgs, McpProtocolArgs, McpServerArgs {
  scenarios: string[];
  probe?: 'mcp' | 'mcp-stdio' | 'http' | 'tcp' | 'all';
  seed: string;
}

/** `faultline demo`. */
export const demoCommand: CommandModule<object, DemoArgs> = {
  command: 'demo [scenarios..]',
  describe: 'Run scenarios (the six built-ins by default) against an in-process proxy and demo upstreams',
  builder: (y) =>
    mcpServerOptions(mcpProtocolOption(scenarioOptions(outputOptions(y))))
      .option('probe', { choices: ['mcp', 'mcp-stdio', 'http', 'tcp', 'all'] as const, describe: 'client to drive (default mcp; http for --suite clients; mcp-stdio: the MCP client starts the demo server over stdio behind faultline stdio)' })
      .option('seed', { type: 'string', default: '1', describe: 'seed of the proxy\'s random decisions (flaky trips)' }) as never,
  handler: async (argv) => {
    const scenarios = await loadScenarios(argv.scenarios, argv.suite);
    const [{ startServer }, { runScenarios }] = await Promise.all([import('../../proxy/api/server.js'), import('../run-scenarios.js')]);
    const server = await startServer({ host: '127.0.0.1', port: 0, seed: argv.seed });
    // The many-clients suite connects some clients from 127.0.0.2, which only the http probe does.
    const probe = argv.probe ?? (argv.suite === 'clients' && argv.scenarios.length === 0 ? 'http' : 'mcp');
    const kinds: Array<'mcp' | 'mcp-stdio' | 'http' | 'tcp'> = probe === 'all' ? ['tcp', 'http', 'mcp'] : [probe];
    const results: ScenarioResult[] = [];
    const progress = progressReporter(process.stderr, argv.quiet);
    try {
      for (const kind of kinds) {
        if (kind === 'mcp-stdio') {
          const { stdioTarget } = await import('../upstreams/mcp-stdio-target.js');
          const stdio = stdioTarget();
          try {
            results.push(
              ...(await runScenarios({
                proxyUrl: server.url,
                probe: kind,
                upstream: stdio.target,
                scenarios,
                policy: policyOf(argv),
                seed: argv.seed,
                sameProcess: true,
                onSkip: (scenario, reason) => process.stderr.write(`skipped ${scenario.name}: ${reason}\n`),
                ...progress.hooks,
              })),
            );
          } finally {
            stdio.remove();
          }
          continue;
        }
        const upstream = await startUpstream(kind, { mcp: mcpUpstreamOptions(argv) });
        try {
          const target: UpstreamTarget = {
            address: upstream.address,
            ledger: async () => upstream.ledger(),
            ...(upstream.notify ? { notify: () => (upstream.notify as () => Promise<number>)() } : {}),
            ...(upstream.calls ? { calls: async () => upstream.calls?.() } : {}),
          };
          results.push(
            ...(await runScenarios({
              proxyUrl: server.url,
              probe: kind,
              upstream: target,
              scenarios,
              policy: policyOf(argv),
              seed: argv.seed,
              sameProcess: true,
              ...(argv['mcp-protocol'] ? { mcpProtocol: argv['mcp-protocol'] } : {}),
              onSkip: (scenario, reason) => process.stderr.write(`skipped ${scenario.name}: ${reason}\n`),
              ...progress.hooks,
            })),
          );
        } finally {
          await upstream.close();
        }
      }
    } finally {
      progress.done();
      await server.close();
    }
    process.exitCode = await report(results, argv);
  },
};
