/**
 * One request from the thread front answered by the fastify app, through `inject` (the same
 * routes, hooks, guard and error handler a socket would get), and its answer sent back: whole in
 * one message, or for an event stream, head first and then each piece as it comes.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../logger.js';
import { RAW_URL_HEADER } from './raw-url.js';
import type { AnswerMessage, FrontMessage } from './thread-messages.js';

/** A request message. */
export type RequestMessage = Extract<FrontMessage, { t: 'request' }>;

/** What answering needs: the app, where answers go, and the answers in progress (to destroy on abort). */
export interface AnswerContext {
  readonly app: FastifyInstance;
  readonly send: (message: AnswerMessage) => void;
  readonly answering: Map<number, { destroy(): void }>;
  readonly logger: Logger;
}

/** Answers `message`; `done` is called once its head is out (or it failed). */
export function answer(context: AnswerContext, message: RequestMessage, done: () => void): void {
  const { app, send, answering, logger } = context;
  const { id } = message;
  // A body given as a buffer is pushed from a setImmediate callback (light-my-request), a stream's within this turn.
  const payload = new Readable({ read() {} });
  if (message.body.byteLength > 0) payload.push(Buffer.from(message.body.buffer, message.body.byteOffset, message.body.byteLength));
  payload.push(null);
  void app.inject(
    {
      method: message.method as 'GET',
      url: message.url,
      headers: { ...message.headers, [RAW_URL_HEADER]: message.url },
      payload,
      ...(message.remote === undefined ? {} : { remoteAddress: message.remote }),
      payloadAsStream: true,
    },
    (err, res) => {
      done();
      if (err || res === undefined) {
        logger.error({ err, method: message.method, url: message.url }, 'API request failed');
        send({ t: 'reset', id });
        return;
      }
      answering.set(id, res.raw.res);
      const stream = res.stream();
      const head = { id, status: res.statusCode, headers: res.headers };
      if (String(res.headers['content-type']).startsWith('text/event-stream')) {
        // A stream goes on as it comes.
        send({ t: 'head', ...head });
        stream.on('data', (chunk: Buffer) => send({ t: 'data', id, chunk }));
        stream.on('end', () => {
          if (answering.delete(id)) send({ t: 'end', id });
        });
      } else {
        // Anything else goes in one message when it ends.
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          if (answering.delete(id)) send({ t: 'whole', ...head, body: Buffer.concat(chunks) });
        });
      }
      stream.on('error', () => {
        if (answering.delete(id)) send({ t: 'reset', id });
      });
    },
  );
}
