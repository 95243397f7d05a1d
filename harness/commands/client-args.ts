/**
 * `run --client CMD`: your own client, any language, as the probe (README: "Test your own client").
 * Its retries, queue and cache are its own, so the client-policy flags and the built-in probes'
 * request flags do not apply with it and are refused; `--timeout-ms` sets its per-operation budget.
 * Its stderr lines go to this process's stderr, prefixed with the scenario and path.
 */
import type { Argv } from 'yargs';
import { clientProbes, DEFAULT_STARTUP_MS } from '../probes/client.js';
import type { ProbeFactory } from '../probes/probe.js';

/** The client flags. */
export interface ClientArgs {
  client?: string;
  'client-startup-ms': number;
}

/** Flags that mean nothing for an external client (its own behaviour decides), with why. */
const NOT_WITH_CLIENT: ReadonlyArray<readonly [string, string]> = [
  ['probe', 'the client is the probe'],
  ['attempts', "retries are the client's own"],
  ['queue', "queueing is the client's own"],
  ['cache', "caching is the client's own"],
  ['repair-stream', "stream repair is the client's own"],
  ['mcp-tool', 'the client decides what it calls'],
  ['mcp-args', 'the client decides what it calls'],
  ['http-method', 'the client decides what it sends'],
  ['http-path', 'the client decides what it sends'],
  ['http-body', 'the client decides what it sends'],
];

/** Whether `flag` was given on the command line (its default does not count). */
function given(args: readonly string[], flag: string): boolean {
  return args.some((a) => a === `--${flag}` || a.startsWith(`--${flag}=`) || a === `--no-${flag}`);
}

/** Declares `--client` and `--client-startup-ms`, and refuses the flags that do not apply with `--client`. */
export function clientOptions<T>(y: Argv<T>, args: readonly string[] = process.argv.slice(2)) {
  return y
    .option('client', {
      type: 'string',
      describe: 'your own client: a command run through the shell once per path with FAULTLINE_TARGET=host:port, speaking JSON lines (README: "Test your own client")',
    })
    .option('client-startup-ms', {
      type: 'number',
      default: DEFAULT_STARTUP_MS,
      describe: 'with --client: how long its first operations wait for it to start',
    })
    .check((argv) => {
      const startup = argv['client-startup-ms'];
      if (!(typeof startup === 'number' && Number.isInteger(startup) && startup >= 0)) {
        throw new Error('--client-startup-ms must be a whole number of ms ≥ 0');
      }
      const command = argv['client'];
      if (command === undefined) return true;
      if (typeof command !== 'string' || command.trim() === '') throw new Error('--client needs a command, e.g. --client "python3 my-client.py"');
      const refused = NOT_WITH_CLIENT.filter(([flag]) => given(args, flag));
      if (refused.length) {
        const why = refused.map(([flag, reason]) => `--${flag} (${reason})`).join(', ');
        throw new Error(`with --client these flags do not apply: ${why}; --timeout-ms sets the client's per-operation budget`);
      }
      return true;
    });
}

/** The probe factory for `--client`; its stderr lines go to `out` unless `quiet`. */
export function clientFactory(argv: ClientArgs & { client: string }, out: NodeJS.WriteStream, quiet: boolean): ProbeFactory {
  const clear = out.isTTY ? '\r\u001b[2K' : ''; // over the live progress line
  return clientProbes(argv.client, {
    startupMs: argv['client-startup-ms'],
    ...(quiet ? {} : { log: (line, target) => void out.write(`${clear}client ${target.scenario}/${target.path}: ${line}\n`) }),
  });
}
