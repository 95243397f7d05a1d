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
      .option('ledger-port', { type: 'number', default: 0, describe: 'tcp only: port of its HTTP ledger' }) as never,
  handler: async (argv) => {
    const upstream = await startUpstream(argv.kind, { host: argv.host, port: argv.port, ledgerPort: argv['ledger-port'], mcp: mcpUpstreamOptions(argv) });
    process.stdout.write(`${argv.kind} upstream on ${upstream.address}, ledger at ${upstream.ledgerUrl}\n`);
    const stop = (): void => void upstream.close().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  },
};
