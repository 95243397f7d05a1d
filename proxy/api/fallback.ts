/**
 * What gorilla/mux does outside the routes, before any middleware: non-canonical paths get a 301
 * to the cleaned path, a known path with a method it does not serve gets 405 with an empty body,
 * anything else gets Go's plain-text 404. Paths are checked decoded, as mux does, so an empty
 * segment (`/proxies/`) or an encoded slash (`/proxies/a%2Fb`) is a 404 before any route runs.
 */
import { posix } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendEmpty, sendText } from './reply.js';

/** The paths of Toxiproxy 2.12 (matched on the decoded path, one non-empty segment per variable). */
const TOXIPROXY_PATHS = [
  /^\/proxies$/,
  /^\/populate$/,
  /^\/reset$/,
  /^\/version$/,
  /^\/proxies\/[^/]+$/,
  /^\/proxies\/[^/]+\/toxics$/,
  /^\/proxies\/[^/]+\/toxics\/[^/]+$/,
];

/** faultline's own paths. */
const FAULTLINE_PATHS = [/^\/proxies\/[^/]+\/connections$/, /^\/proxies\/[^/]+\/connections\/[^/]+$/, /^\/events$/, /^\/events\/mark$/, /^\/toxics$/];

/** Which paths the API has. */
export interface PathOptions {
  /** faultline's own routes (`/connections`, `/events`, `/toxics`). */
  extensions: boolean;
  /** `/metrics`. */
  metrics: boolean;
}

/** Installs the redirect for unclean paths and the 404/405 answers on `app` (ahead of every route hook). */
export function installFallbacks(app: FastifyInstance, options: PathOptions): void {
  const known = [...TOXIPROXY_PATHS, ...(options.metrics ? [/^\/metrics$/] : []), ...(options.extensions ? FAULTLINE_PATHS : [])];
  const isKnown = (path: string): boolean => known.some((pattern) => pattern.test(path));
  app.addHook('onRequest', async (request, reply) => {
    const { path, query } = splitUrl(request.url);
    const clean = cleanPath(path);
    if (clean !== path) return reply.code(301).header('Location', encodeURI(clean) + query).send();
    return isKnown(path) ? undefined : notFound(reply);
  });
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) =>
    isKnown(splitUrl(request.url).path) ? sendEmpty(reply, 405) : notFound(reply),
  );
}

function notFound(reply: FastifyReply): FastifyReply {
  return sendText(reply, 404, '404 page not found\n');
}

/** The decoded path and the raw query (with its `?`) of a request URL. */
function splitUrl(url: string): { path: string; query: string } {
  const mark = url.indexOf('?');
  const raw = mark < 0 ? url : url.slice(0, mark);
  let path = raw;
  try {
    path = decodeURIComponent(raw);
  } catch {
    // A malformed escape is left for the router to reject.
  }
  return { path, query: mark < 0 ? '' : url.slice(mark) };
}

/** Go's path.Clean that keeps a trailing slash, as gorilla/mux's cleanPath does. */
function cleanPath(path: string): string {
  if (path === '') return '/';
  const rooted = path.startsWith('/') ? path : `/${path}`;
  const clean = posix.normalize(rooted).replace(/^\/+/, '/');
  const trimmed = clean.length > 1 && clean.endsWith('/') ? clean.slice(0, -1) : clean;
  return rooted.endsWith('/') && trimmed !== '/' ? `${trimmed}/` : trimmed;
}
