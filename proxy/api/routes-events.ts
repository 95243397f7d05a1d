/**
 * Our extension: `GET /events[?proxy=NAME]`, a server-sent-events stream of lifecycle events
 * (proxy, toxic, connection, fault tripped), each with `at` (monotonic ms) and `time` (wall clock).
 * NAME must be a proxy that exists (404 otherwise). `POST /events/mark {"label": …}` sends an
 * `events.mark` event to every stream: a barrier for a subscriber that must have all events so far.
 * A subscriber that does not keep up never slows the data plane: when more than
 * MAX_SUBSCRIBER_BUFFER bytes wait for it, it is dropped (its stream is closed).
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { FaultlineEvent } from '../events.js';
import type { Registry } from '../registry.js';
import { parseBody } from './body.js';
import { sendEmpty } from './reply.js';

/** The body of `POST /events/mark` (optional). */
const markSchema = z.object({ label: z.string().optional() });

/** Bytes that may wait for one subscriber before it is dropped. */
export const MAX_SUBSCRIBER_BUFFER = 1024 * 1024;

/** A comment line every so often keeps idle streams alive through other proxies. */
const HEARTBEAT_MS = 15_000;

/** Registers `GET /events` and `POST /events/mark` on `api`; open streams are ended when the API closes. */
export function eventRoutes(api: FastifyInstance, registry: Registry): void {
  const open = new Set<ServerResponse>();
  // preClose: the server waits for open connections, so streams must end before it closes.
  api.addHook('preClose', async () => {
    for (const res of open) res.destroy();
  });

  // A barrier: a subscriber that sees this mark has every event emitted before it (events reach
  // it in order; through the thread front they may lag what the data plane delivers).
  api.post<{ Body: Buffer | undefined }>('/events/mark', async (request, reply) => {
    const { label = '' } = request.body === undefined || request.body.length === 0 ? {} : parseBody(markSchema, request.body);
    registry.events.emit({ type: 'events.mark', label });
    return sendEmpty(reply, 204);
  });

  api.get<{ Querystring: { proxy?: string } }>('/events', (request, reply) => {
    const filter = request.query.proxy;
    // An unknown proxy is a 404 (as on every other route that names one), not an empty stream.
    if (filter !== undefined) registry.get(filter);
    const res = reply.raw;
    reply.hijack();
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      ...(reply.getHeader('x-toxiproxy-request-id') ? { 'x-toxiproxy-request-id': String(reply.getHeader('x-toxiproxy-request-id')) } : {}),
    });
    res.write(': faultline events\n\n');
    let id = 0;
    const send = (event: FaultlineEvent): void => {
      if (filter !== undefined && 'proxy' in event && event.proxy !== filter) return;
      res.write(`id: ${++id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      if (res.writableLength > MAX_SUBSCRIBER_BUFFER) stop();
    };
    const unsubscribe = registry.events.subscribe(send);
    const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS).unref();
    const stop = (): void => {
      unsubscribe();
      clearInterval(heartbeat);
      open.delete(res);
      if (!res.destroyed) res.destroy();
    };
    open.add(res);
    res.on('close', stop);
  });
}
