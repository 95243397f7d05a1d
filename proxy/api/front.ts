/**
 * The API's thread front: a worker thread that owns the API's HTTP server (sockets, parsing,
 * limits, keep-alive) and hands each request to the thread that owns the registry, which answers
 * it with the same fastify routes between two data-plane callbacks (thread.ts). Nothing the data
 * plane does can keep this thread from reading a request; only the answer waits for the owner.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { limitedServer } from './limits.js';
import type { AnswerMessage, FrontCommand, FrontData, FrontMessage, FrontStatus } from './thread-messages.js';

const data = workerData as FrontData;
const owner = parentPort;
const signal = new Int32Array(data.signal);
const open = new Map<number, ServerResponse>();
let nextId = 1;

/** Hop-by-hop headers: this server sets its own. */
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding']);

function post(message: FrontMessage): void {
  data.channel.postMessage(message);
  Atomics.add(signal, 0, 1);
}

function status(message: FrontStatus): void {
  owner?.postMessage(message);
}

function onRequest(req: IncomingMessage, res: ServerResponse): void {
  const id = nextId++;
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    if (size <= data.bodyLimit) chunks.push(chunk);
    size += chunk.length;
  });
  req.on('end', () => {
    const whole = Buffer.concat(chunks);
    const body = whole.length > data.bodyLimit + 1 ? whole.subarray(0, data.bodyLimit + 1) : whole;
    const headers = { ...req.headers };
    // The body travels whole: its length is known (a chunked one's too).
    delete headers['transfer-encoding'];
    headers['content-length'] ??= String(body.length);
    open.set(id, res);
    res.on('close', () => {
      if (open.delete(id)) post({ t: 'abort', id });
    });
    post({ t: 'request', id, method: req.method ?? 'GET', url: req.url ?? '/', headers, body, remote: req.socket.remoteAddress });
  });
}

/** An answer's headers without the hop-by-hop ones. */
function ownHeaders(headers: OutgoingHttpHeaders): OutgoingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP.has(name)));
}

function onAnswer(message: AnswerMessage): void {
  const res = open.get(message.id);
  if (res === undefined) return;
  switch (message.t) {
    case 'whole':
      open.delete(message.id);
      res.writeHead(message.status, ownHeaders(message.headers));
      res.end(message.body);
      return;
    case 'head':
      res.writeHead(message.status, ownHeaders(message.headers));
      return;
    case 'data':
      res.write(message.chunk);
      if (res.writableLength > data.streamBufferLimit) res.destroy();
      return;
    case 'end':
      open.delete(message.id);
      res.end();
      return;
    case 'reset':
      open.delete(message.id);
      res.destroy();
  }
}

const server = limitedServer(data.limits, onRequest);
data.channel.on('message', onAnswer);
owner?.on('message', (command: FrontCommand) => {
  if (command.t !== 'close') return;
  server.close();
  server.closeAllConnections();
  for (const res of open.values()) res.destroy();
  open.clear();
  data.channel.close();
  status({ t: 'closed' });
});
server.once('error', (err: NodeJS.ErrnoException) => status({ t: 'listen-failed', message: err.message, code: err.code, syscall: err.syscall }));
server.listen({ host: data.host, port: data.port }, () => {
  const address = server.address();
  if (address !== null && typeof address !== 'string') status({ t: 'listening', address: address.address, port: address.port });
});
