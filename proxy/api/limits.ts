/**
 * The API's HTTP server and its limits against slow or hostile clients (slowloris), one home for
 * both places that serve the API: the thread front (front.ts) and fastify's own server (app.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * A request's headers must arrive within 10 s and the whole request within 30 s (checked every
 * second), and the API holds at most 1,024 connections, so it can never take the file
 * descriptors the proxies need.
 */
export const API_LIMITS: ApiLimits = { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, maxConnections: 1024 };

/** Limits on API connections (see API_LIMITS). */
export interface ApiLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  maxConnections: number;
}

/** An HTTP server held to `limits`, answering with `handler`. */
export function limitedServer(limits: ApiLimits, handler: (req: IncomingMessage, res: ServerResponse) => void): Server {
  const checkEvery = Math.min(1000, limits.headersTimeoutMs);
  const server = createServer(
    { headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.requestTimeoutMs, connectionsCheckingInterval: checkEvery },
    handler,
  );
  server.maxConnections = limits.maxConnections;
  return server;
}
