/**
 * The API served from a thread of its own. A worker thread (front.ts) owns the API's HTTP server;
 * this side, on the thread that owns the registry and the data plane, answers each request with
 * the fastify app (through `inject`, the same routes, hooks and error handler as a socket would
 * get). Requests are taken in at the next data-plane step (`onDataPlaneStep`: between two socket
 * callbacks, after the current one returns), not after the whole turn of socket callbacks in
 * progress; an idle thread takes them from the port as usual. They are answered in order, within
 * the API's share of each turn (intake.ts), by answer.ts. So a toxic change is applied and
 * answered within one socket callback of its arrival, and Toxiproxy's contract holds: once
 * answered, it applies to every byte the proxy reads.
 */
import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../logger.js';
import { onDataPlaneStep } from '../scheduler.js';
import type { ApiLimits } from './limits.js';
import { answer, type AnswerContext, type RequestMessage } from './answer.js';
import { Intake } from './intake.js';
import type { AnswerMessage, FrontCommand, FrontData, FrontMessage, FrontStatus } from './thread-messages.js';

/**
 * The front's module: front.js beside this file when built. Run from source (tests under tap's
 * TypeScript loader), the thread runs the built copy, as it starts without loaders (threadFlags):
 * `npm test` builds first.
 */
const FROM_SOURCE = extname(fileURLToPath(import.meta.url)) === '.ts';
const FRONT = new URL(FROM_SOURCE ? '../../dist/proxy/api/front.js' : './front.js', import.meta.url);

/** Where and how the front listens. */
export interface ThreadOptions {
  host: string;
  port: number;
  limits: ApiLimits;
  bodyLimit: number;
  streamBufferLimit: number;
  logger: Logger;
}

/** A running API thread. */
export interface ApiThread {
  /** Where the front listens. */
  readonly address: { address: string; port: number };
  /** Stops the front (its server and every connection) and the thread. */
  close(): Promise<void>;
}

/** Starts the API's thread front over `app` (ready, not listening). */
export async function startApiThread(app: FastifyInstance, options: ThreadOptions): Promise<ApiThread> {
  const { port1: channel, port2 } = new MessageChannel();
  const signal = new SharedArrayBuffer(4);
  const counter = new Int32Array(signal);
  const { host, port, limits, bodyLimit, streamBufferLimit } = options;
  const data: FrontData = { host, port, limits, bodyLimit, streamBufferLimit, channel: port2, signal };
  if (FROM_SOURCE && !existsSync(FRONT)) throw new Error(`${fileURLToPath(FRONT)} is missing: run \`npm run build\` first`);
  const worker = new Worker(FRONT, { workerData: data, transferList: [port2], ...threadFlags() });
  const context: AnswerContext = {
    app,
    send: (message: AnswerMessage) => channel.postMessage(message),
    answering: new Map(),
    logger: options.logger,
  };
  const intake = new Intake<RequestMessage>((message, done) => answer(context, message, done));
  const handle = (message: FrontMessage): void => {
    if (message.t === 'request') return intake.push(message);
    // Its client went away: a waiting request is dropped, an answer in progress destroyed.
    if (intake.drop((waiting) => waiting.id === message.id)) return;
    context.answering.get(message.id)?.destroy();
    context.answering.delete(message.id);
  };

  let seen = 0;
  let queued = false;
  const drain = (): void => {
    queued = false;
    seen = Atomics.load(counter, 0);
    for (let next = receiveMessageOnPort(channel); next !== undefined; next = receiveMessageOnPort(channel)) handle(next.message as FrontMessage);
  };
  const stopWatching = onDataPlaneStep(() => {
    if (queued || Atomics.load(counter, 0) === seen) return;
    queued = true;
    queueMicrotask(drain);
  });
  channel.on('message', handle);

  const statuses = (next: (status: FrontStatus) => void): void => void worker.on('message', next);
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const address = await new Promise<{ address: string; port: number }>((resolve, reject) => {
    worker.once('error', reject);
    statuses((status) => {
      if (status.t === 'listening') resolve({ address: status.address, port: status.port });
      if (status.t === 'listen-failed') reject(Object.assign(new Error(status.message), { code: status.code, syscall: status.syscall }));
    });
  }).catch(async (err: unknown) => {
    stopWatching();
    channel.close();
    await worker.terminate();
    throw err;
  });
  worker.on('error', (err) => options.logger.error({ err }, 'API thread failed'));

  let closing: Promise<void> | undefined;
  return {
    address,
    close: () => {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => statuses((status) => status.t === 'closed' && resolve()));
        worker.postMessage({ t: 'close' } satisfies FrontCommand);
        await Promise.race([closed, exited]);
        stopWatching();
        for (const res of context.answering.values()) res.destroy();
        context.answering.clear();
        channel.close();
        await worker.terminate();
      })();
      return closing;
    },
  };
}

/**
 * The thread's start: no Node flags and no NODE_OPTIONS. The front needs none, and this process's
 * may not suit a thread (`--input-type` of a process started with `-e`; loaders: tap's TypeScript
 * one would load the compiler in the thread, 1.5–2 s, and its NODE_OPTIONS hook another 150 ms).
 */
function threadFlags(): { execArgv: string[]; env: NodeJS.ProcessEnv } {
  const env = { ...process.env };
  delete env['NODE_OPTIONS'];
  return { execArgv: [], env };
}
