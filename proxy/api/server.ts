/**
 * startServer, the composition root of a server: a Registry, the control API over it, listening (127.0.0.1:8474 unless told
 * otherwise, as `toxiproxy-server` does), from a thread of its own unless told otherwise (thread.ts). close() stops the
 * API, then every proxy.
 */
import { buildApi, DEFAULT_BODY_LIMIT } from './app.js';
import { API_LIMITS, type ApiLimits } from './limits.js';
import { MAX_SUBSCRIBER_BUFFER } from './routes-events.js';
import { startApiThread } from './thread.js';
import { joinHostPort } from '../listen-address.js';
import { silentLogger, type Logger } from '../logger.js';
import { Registry } from '../registry.js';

/** Where the API listens by default (Toxiproxy's default). */
export const DEFAULT_API_PORT = 8474;

/** Settings of a server; all optional. */
export interface ServerOptions {
  /** API bind host (default 127.0.0.1). */
  host?: string;
  /** API port (default 8474; 0 picks a free one). */
  port?: number;
  /** Seed of the registry's random decisions (ignored when `registry` is given). */
  seed?: string;
  /** Reject unknown toxic attributes with 400 instead of ignoring them with a warning (ignored when `registry` is given). */
  strict?: boolean;
  /** The registry to serve; a new one is made when absent. It is closed with the server. */
  registry?: Registry;
  logger?: Logger;
  /** Largest accepted request body in bytes (default 1 MiB). */
  bodyLimit?: number;
  /** Every request but GET /version must carry `Authorization: Bearer <token>`. */
  token?: string;
  /** Origins allowed to call the API; a request with any other `Origin` header gets 403. */
  allowedOrigins?: readonly string[];
  /** Connection limits of the API (defaults: API_LIMITS in proxy/api/limits.ts). */
  limits?: Partial<ApiLimits>;
  /** Switch faultline's extensions off and answer as Toxiproxy 2.12 (see ApiOptions.toxiproxyOnly). */
  toxiproxyOnly?: boolean;
  /** Serve `/metrics` (default: yes, unless `toxiproxyOnly`). */
  metrics?: boolean;
  /**
   * Serve the API's HTTP from a worker thread, requests answered between two data-plane callbacks (default: yes). With
   * `false`, fastify's own server on this thread answers them, after the turn of socket callbacks in progress.
   */
  apiThread?: boolean;
}

/** A running server. */
export interface RunningServer {
  /** The API's base URL, e.g. `http://127.0.0.1:8474` (wildcard binds are reported as loopback). */
  readonly url: string;
  readonly registry: Registry;
  /** Stops the API and every proxy. */
  close(): Promise<void>;
}

/** Starts a faultline server: registry + control API. */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? silentLogger;
  const registry =
    options.registry ??
    new Registry({ ...(options.seed === undefined ? {} : { seed: options.seed }), ...(options.strict ? { strict: true } : {}) });
  const app = await buildApi(registry, {
    logger,
    ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }),
    ...(options.token === undefined ? {} : { token: options.token }),
    ...(options.allowedOrigins === undefined ? {} : { allowedOrigins: options.allowedOrigins }),
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    ...(options.toxiproxyOnly === undefined ? {} : { toxiproxyOnly: options.toxiproxyOnly }),
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
  });
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? DEFAULT_API_PORT;
  let listening: { address: { address: string; port: number }; close(): Promise<void> };
  try {
    listening = options.apiThread === false ? await listenInLoop(app, host, port) : await listenInThread(app, host, port, options, logger);
  } catch (err) {
    await app.close();
    if (!options.registry) await registry.close();
    throw err;
  }
  const { address } = listening;
  const shown = address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '::1' : address.address;
  const url = `http://${joinHostPort(shown, address.port)}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    registry,
    close: () => {
      closing ??= listening.close().then(() => registry.close());
      return closing;
    },
  };
}

type App = Awaited<ReturnType<typeof buildApi>>;

/** fastify's own server, on this thread. */
async function listenInLoop(app: App, host: string, port: number): Promise<{ address: { address: string; port: number }; close(): Promise<void> }> {
  await app.listen({ host, port });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('API server has no TCP address');
  return { address, close: () => app.close() };
}

/** The thread front (thread.ts) over the app. */
async function listenInThread(
  app: App,
  host: string,
  port: number,
  options: ServerOptions,
  logger: Logger,
): Promise<{ address: { address: string; port: number }; close(): Promise<void> }> {
  await app.ready();
  const thread = await startApiThread(app, {
    host,
    port,
    limits: { ...API_LIMITS, ...options.limits },
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    streamBufferLimit: MAX_SUBSCRIBER_BUFFER,
    logger,
  });
  return { address: thread.address, close: () => thread.close().then(() => app.close()) };
}
