/**
 * The control API: a fastify app speaking Toxiproxy 2.12's HTTP API over a Registry. Bodies are
 * taken raw whatever their Content-Type (Toxiproxy never looks at it) and decoded by the routes;
 * every error leaves through one handler that maps FaultlineError codes to statuses.
 */
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { isFaultlineError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import type { Registry } from '../registry.js';
import { installFallbacks } from './fallback.js';
import { installGuard, type GuardOptions } from './guard.js';
import { rawUrlOf } from './raw-url.js';
import { API_LIMITS, limitedServer, type ApiLimits } from './limits.js';
import { createMetrics } from './metrics.js';
import { GO_ERROR_TYPE, sendError, sendText } from './reply.js';
import { adminRoutes } from './routes-admin.js';
import { connectionRoutes } from './routes-connections.js';
import { eventRoutes } from './routes-events.js';
import { populateRoute } from './routes-populate.js';
import { proxyRoutes } from './routes-proxies.js';
import { toxicRoutes } from './routes-toxics.js';
import { messageOf, statusOf } from './status.js';

/** Largest request body accepted; bigger ones get 413. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** Settings of the API; all optional. */
export interface ApiOptions extends GuardOptions {
  logger?: Logger;
  bodyLimit?: number;
  limits?: Partial<ApiLimits>;
  /**
   * Switch faultline's extensions off and answer as Toxiproxy 2.12 does: no `/events`,
   * `/connections`, `/toxics`; faultline's toxic types are `invalid toxic type` and its extra
   * attributes are ignored; `/version` without faultline's field; error bodies as text/plain.
   */
  toxiproxyOnly?: boolean;
  /** Serve `/metrics` (default: yes, unless `toxiproxyOnly`, where Toxiproxy serves it only on request). */
  metrics?: boolean;
}

/** Builds (but does not start) the control API over `registry`. */
export async function buildApi(registry: Registry, options: ApiOptions = {}): Promise<FastifyInstance> {
  const logger = options.logger ?? silentLogger;
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const toxiproxyOnly = options.toxiproxyOnly ?? false;
  const serveMetrics = options.metrics ?? !toxiproxyOnly;
  const errorType = toxiproxyOnly ? GO_ERROR_TYPE : undefined;
  const app = Fastify({
    logger: false,
    serverFactory: (handler) => limitedServer({ ...API_LIMITS, ...options.limits }, handler),
    bodyLimit,
    exposeHeadRoutes: false,
    rewriteUrl: rawUrlOf,
    routerOptions: { maxParamLength: 65_535 },
    // A malformed escape (`/proxies/%zz`): Go's server answers this before any handler runs.
    frameworkErrors: (_err, _request, reply) => {
      sendText(reply, 400, '400 Bad Request');
    },
  });

  // Toxiproxy never looks at Content-Type; a malformed one must not turn a good body into a 415.
  app.addHook('onRequest', async (request) => {
    if (request.headers['content-type'] !== undefined) request.headers['content-type'] = 'application/octet-stream';
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (isFaultlineError(err)) return sendError(reply, statusOf(err.code), messageOf(err), errorType);
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendError(reply, 413, `request body too large (limit ${bodyLimit} bytes)`, errorType);
    }
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) logger.error({ err, method: request.method, url: request.url }, 'API request failed');
    return sendError(reply, status, err.message, errorType);
  });

  installFallbacks(app, { extensions: !toxiproxyOnly, metrics: serveMetrics });

  const metrics = serveMetrics ? createMetrics(registry) : null;
  if (metrics) app.addHook('onClose', async () => metrics.close());

  await app.register(async (api) => {
    installGuard(api, options);
    proxyRoutes(api, registry, toxiproxyOnly);
    toxicRoutes(api, registry, toxiproxyOnly);
    populateRoute(api, registry);
    adminRoutes(api, registry, metrics, toxiproxyOnly);
    if (toxiproxyOnly) return;
    connectionRoutes(api, registry);
    eventRoutes(api, registry);
  });
  return app;
}
