/**
 * A request's URL as its client sent it, through the thread front. fastify's `inject` (thread.ts)
 * normalises a URL as WHATWG URL parsing does (dot segments, `//`, escapes), which would hide what
 * Toxiproxy's router answers (a 301 to the cleaned path, a 400 for a bad escape): the owner thread
 * passes the URL as sent in RAW_URL_HEADER, and fastify's `rewriteUrl` (app.ts) routes that.
 */
import type { IncomingMessage } from 'node:http';

/** The header the owner thread carries the URL as sent in; never read from a socket. */
export const RAW_URL_HEADER = 'x-faultline-raw-url';

/** fastify's `rewriteUrl`: the URL as sent for a request from the thread front, `req.url` otherwise. */
export function rawUrlOf(req: IncomingMessage): string {
  const raw = req.headers[RAW_URL_HEADER];
  delete req.headers[RAW_URL_HEADER];
  // Only inject's requests (light-my-request marks them) may carry it: a client cannot send one.
  if (typeof raw === 'string' && '_lightMyRequest' in req) return raw;
  return req.url ?? '/';
}
