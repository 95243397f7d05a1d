/** `faultline stdio --name NAME -- CMD ARGS…`: the stdio fault relay (proxy/stdio/relay.ts). */
import type { CommandModule } from 'yargs';
import { CliError } from '../../cli/errors.js';
import type { GlobalArgs } from '../../cli/global.js';
import { runRelay } from '../stdio/relay.js';

type StdioArgs = GlobalArgs & { name: string; seed: string | undefined; _: Array<string | number>; '--'?: string[] };

/** `faultline stdio`. */
export const stdioCommand: CommandModule<GlobalArgs, StdioArgs> = {
  command: 'stdio',
  describe: 'Start CMD and relay its stdin/stdout through the toxics of proxy NAME (put it where an MCP client starts its server)',
  builder: (y) =>
    y
      .usage('$0 stdio --name NAME [--url API] -- CMD [ARGS…]')
      .option('name', { type: 'string', demandOption: true, describe: 'the proxy whose toxics apply (created if missing)' })
      .option('seed', { type: 'string', describe: 'seed of the fault draws (default: random)' }) as never,
  handler: async (argv) => {
    const [command, ...args] = (argv['--'] ?? argv._.slice(1)).map(String);
    if (!command) throw new CliError('stdio: name the command to start after --, e.g. faultline stdio --name mcp -- node server.js', 'ERR_USAGE');
    // A host that stops the relay (SIGTERM, as the MCP SDK does on close) must not leave its server running.
    const stop = new AbortController();
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => stop.abort());
    process.exitCode = await runRelay({
      stop: stop.signal,
      name: argv.name,
      url: argv.url,
      token: argv.token,
      command,
      args,
      seed: argv.seed,
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
    });
    // The event stream and the retry timer would keep the process alive: the relay is done.
    process.exit();
  },
};
