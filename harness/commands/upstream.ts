/**
 * `faultline upstream mcp|http|tcp`: runs one demo upstream on its own (a service of the
 * docker-compose environment, or a target for `faultline run`). Each keeps a ledger at GET /ledger.
 */
import type { CommandModule } from 'yargs';
import { startUpstream } from '../upstreams/start.js';
import { mcpProtocolOption, mcpServerOptions, mcpUpstreamOptions, type McpProtocolArgs, type McpServerArgs } from './mcp-args.js';

interface UpstreamArgs extends McpProtocolArgs, McpServerArgs {
  kind: 'mcp' | 'http' | 'tcp';
  host: string;
  port: number;
  'ledger-port': number;
  stdio: boolean;
  journal: string | undefined;
  'ignore-cancel': boolean;
}

/** `faultline upstream`. */
export const upstreamCommand: CommandModule<object, UpstreamArgs> = {
  command: 'upstream <kind>',
  describe: 'Run a demo upstream (mcp, http or tcp echo) that keeps a ledger of what it applied',
  builder: (y) =>
    mcpServerOptions(mcpProtocolOption(y))
      .positional('kind', { choices: ['mcp', 'http', 'tcp'] as const, demandOption: true })
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'bind address' })
      .option('port', { type: 'number', default: 0, describe: 'port (0 = any free one)' })
      .option('ledger-port', { type: 'number', default: 0, describe: 'tcp only: port of its HTTP ledger' })
      .option('stdio', { type: 'boolean', default: false, describe: 'mcp only: serve MCP on stdin/stdout (one client; prints nothing else on stdout)' })
      .option('journal', { type: 'string', describe: 'with --stdio: the file its ledger is kept in (shared by restarts)' })
      .option('ignore-cancel', { type: 'boolean', default: false, describe: 'mcp only: the long call works on after it was told to stop' })
      .check((argv) => {
        if (argv.stdio && (argv.kind !== 'mcp' || !argv.journal)) throw new Error('--stdio needs kind mcp and --journal FILE');
        return true;
      }) as never,
  handler: async (argv) => {
    if (argv.stdio) {
      const { serveStdioMcp } = await import('../upstreams/mcp-stdio.js');
      await serveStdioMcp({ journal: argv.journal as string, ignoreCancel: argv['ignore-cancel'] });
      return;
    }
    const upstream = await startUpstream(argv.kind, { host: argv.host, port: argv.port, ledgerPort: argv['ledger-port'], mcp: { ...mcpUpstreamOptions(argv), ignoreCancel: argv['ignore-cancel'] } });
    process.stdout.write(`${argv.kind} upstream on ${upstream.address}, ledger at ${upstream.ledgerUrl}\n`);
    const stop = (): void => void upstream.close().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  },
};
