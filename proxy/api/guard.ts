/**
 * The gate in front of every matched route:
 * - a fresh `X-Toxiproxy-Request-Id` on every response (as Toxiproxy);
 * - 403 for browsers (a `User-Agent` starting with `Mozilla/`), so web pages cannot drive the API
 *   through a user's browser (as Toxiproxy);
 * - 403 for a request carrying an `Origin` header that is not on the allow list (a cross-origin
 *   request from a page, whatever its user agent claims);
 * - with a token set, 401 unless `Authorization: Bearer <token>` (GET /version stays open, so
 *   readiness probes such as Testcontainers' keep working).
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { sendError, sendText } from './reply.js';
import { requestId } from './request-id.js';

/** Who may call the API. */
export interface GuardOptions {
  /** Required bearer token; undefined leaves the API open (to whoever can reach it). */
  token?: string;
  /** Origins allowed to call the API (exact `scheme://host:port`); none by default. */
  allowedOrigins?: readonly string[];
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const expected = Buffer.from(`Bearer ${token}`);
  const given = Buffer.from(header ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Adds the request-id, browser, origin and token checks to the routes registered on `api`. */
export function installGuard(api: FastifyInstance, options: GuardOptions = {}): void {
  const origins = new Set(options.allowedOrigins ?? []);
  api.addHook('onRequest', async (request, reply) => {
    reply.header('X-Toxiproxy-Request-Id', requestId());
    const agent = request.headers['user-agent'];
    if (typeof agent === 'string' && agent.startsWith('Mozilla/')) return sendText(reply, 403, 'User agent not allowed\n');
    const origin = request.headers.origin;
    if (origin !== undefined && !origins.has(origin)) {
      return sendError(reply, 403, `origin ${JSON.stringify(origin)} is not allowed (see --allow-origin)`);
    }
    const open = request.method === 'GET' && request.url.split('?')[0] === '/version';
    if (options.token !== undefined && !open && !tokenMatches(request.headers.authorization, options.token)) {
      reply.header('WWW-Authenticate', 'Bearer');
      return sendError(reply, 401, 'missing or wrong token: send Authorization: Bearer <token>');
    }
    return undefined;
  });
}
