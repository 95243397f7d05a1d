/**
 * Toxiproxy's middleware on matched routes: a fresh `X-Toxiproxy-Request-Id` on every response,
 * and a 403 for browsers (a `User-Agent` starting with `Mozilla/`), which keeps web pages from
 * driving the API through a user's browser.
 */
import type { FastifyInstance } from 'fastify';
import { sendText } from './reply.js';
import { requestId } from './request-id.js';

/** Adds the request-id and browser-blocking hooks to the routes registered on `api`. */
export function installGuard(api: FastifyInstance): void {
  api.addHook('onRequest', async (request, reply) => {
    reply.header('X-Toxiproxy-Request-Id', requestId());
    const agent = request.headers['user-agent'];
    if (typeof agent === 'string' && agent.startsWith('Mozilla/')) return sendText(reply, 403, 'User agent not allowed\n');
    return undefined;
  });
}
