/**
 * `faultline server`: the daemon. Toxiproxy's single-dash flags work too (see toxiproxy-flags.ts),
 * so a script that starts `toxiproxy-server -host 0.0.0.0 -port 8474` works by renaming the command.
 */
import type { CommandModule } from 'yargs';
import { CliError } from '../../cli/errors.js';

/** Log levels accepted by `--log-level` (pino's; Toxiproxy's LOG_LEVEL names are the same). */
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

interface ServerArgs {
  token?: string;
  'allow-origin': string[];
  host: string;
  port: number;
  config?: string;
  seed?: string;
  strict: boolean;
  'toxiproxy-only': boolean;
  'proxy-metrics'?: boolean;
  'runtime-metrics'?: boolean;
  'log-level': string;
  'api-thread': boolean;
}

/** Whether `host` only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** `faultline server`. */
export const serverCommand: CommandModule<object, ServerArgs> = {
  command: 'server',
  describe: 'Run the proxy server and its control API',
  builder: (y) =>
    y
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'API bind address' })
      .option('port', { type: 'number', default: 8474, describe: 'API port' })
      .option('config', { type: 'string', describe: 'JSON file of proxies (and their toxics) to create at start-up' })
      .option('seed', { type: 'string', describe: 'seed of every random decision (toxicity, jitter, flaky)' })
      .option('strict', { type: 'boolean', default: false, describe: 'reject toxic attributes the toxic type does not have (400) instead of ignoring them with a warning' })
      .option('allow-origin', { type: 'string', array: true, default: [], describe: 'origin allowed to call the API (repeatable); others get 403' })
      .option('log-level', { type: 'string', choices: LOG_LEVELS, default: process.env['LOG_LEVEL'] ?? 'info' })
      .option('toxiproxy-only', {
        type: 'boolean',
        default: false,
        describe: "switch faultline's extensions off and answer as Toxiproxy 2.12 (to try a client or the harness against plain Toxiproxy)",
      })
      .option('api-thread', {
        type: 'boolean',
        default: true,
        describe: 'serve the API from a thread of its own, answered between two data-plane callbacks (--no-api-thread: on the data plane\'s event loop)',
      })
      .option('proxy-metrics', { type: 'boolean', hidden: true, describe: 'accepted for toxiproxy-server; metrics are always on (with --toxiproxy-only: serve /metrics)' })
      .option('runtime-metrics', { type: 'boolean', hidden: true, describe: 'accepted for toxiproxy-server; metrics are always on (with --toxiproxy-only: serve /metrics)' })
      .check((argv) => {
        if (!Number.isInteger(argv.port) || argv.port < 0 || argv.port > 65535) throw new Error('--port must be 0..65535');
        return true;
      }) as never,
  handler: async (argv) => {
    // Loaded here so the client commands start fast.
    const [{ loadConfig }, { createLogger, logEvents }, { Registry }, { startServer }] = await Promise.all([
      import('../config.js'),
      import('../log.js'),
      import('../registry.js'),
      import('../api/server.js'),
    ]);
    const logger = createLogger(argv['log-level'], Boolean(process.stdout.isTTY));
    const registry = new Registry({ ...(argv.seed === undefined ? {} : { seed: argv.seed }), strict: argv.strict });
    logEvents(registry.events, logger);
    if (argv.config !== undefined) {
      const created = await loadConfig(argv.config, registry, argv['toxiproxy-only']);
      logger.info({ file: argv.config, proxies: created }, 'populated proxies from config');
    }
    let server;
    try {
      server = await startServer({
        host: argv.host,
        port: argv.port,
        registry,
        logger,
        allowedOrigins: argv['allow-origin'],
        apiThread: argv['api-thread'],
        ...(argv.token ? { token: argv.token } : {}),
        ...(argv['toxiproxy-only']
          ? { toxiproxyOnly: true, metrics: Boolean(argv['proxy-metrics'] || argv['runtime-metrics']) }
          : {}),
      });
    } catch (err) {
      await registry.close();
      throw new CliError(`cannot listen on ${argv.host}:${argv.port}: ${(err as Error).message}`);
    }
    if (!isLoopback(argv.host)) {
      const who = argv.token ? 'callers need the token' : 'anyone who can reach it can change your proxies (set --token)';
      logger.warn({ host: argv.host }, `the control API is reachable from other machines; ${who}`);
    }
    logger.info({ url: server.url, seed: registry.seed, ...(argv['toxiproxy-only'] ? { toxiproxy_only: true } : {}) }, 'faultline server ready');
    const stop = (signal: string): void => {
      logger.info({ signal }, 'shutting down');
      void server.close().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  },
};
