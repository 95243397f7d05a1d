/**
 * The http upstream: `POST /ops/{id}` applies a write (the body is the payload) and answers
 * `{id, applied}`; `GET /ops/{id}` reads the stored payload (404 when there is none); `GET /ledger`
 * and `GET /health` as every upstream. HTTP keep-alive is on (Node's default), as with real servers.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createLedgerStore, sendJson, serveLedger, type LedgerStore } from './ledger.js';
import { closeServer, listenOn, trackSockets, type ListenOptions, type Upstream } from './upstream.js';

/** Starts the http upstream. */
export async function startHttpUpstream(options: ListenOptions = {}): Promise<Upstream> {
  const store = createLedgerStore();
  const server = createServer((req, res) => {
    handle(req, res, store).catch(() => res.destroy());
  });
  const sockets = trackSockets(server);
  const address = await listenOn(server, options);
  return {
    kind: 'http',
    address,
    ledgerUrl: `http://${address}/ledger`,
    ledger: () => store.snapshot(),
    connections: () => sockets.count(),
    close: () => closeServer(server, sockets),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, store: LedgerStore): Promise<void> {
  if (serveLedger(req, res, 'http', store)) {
    req.resume();
    return;
  }
  const match = /^\/ops\/([^/?]+)$/.exec(new URL(req.url ?? '/', 'http://upstream').pathname);
  const body = await readBody(req);
  if (!match) return sendJson(res, 404, { error: 'not found' });
  const id = decodePath(match[1] as string);
  if (id === undefined) return sendJson(res, 400, { error: 'malformed id' });
  if (req.method === 'POST') return sendJson(res, 200, { id, applied: store.apply(id, body) });
  if (req.method === 'GET') {
    const value = store.read(id);
    if (value === undefined) return sendJson(res, 404, { error: 'not found', id });
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(value) });
    res.end(value);
    return;
  }
  sendJson(res, 405, { error: 'method not allowed' });
}

function decodePath(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** The whole request body as utf-8 (a write is applied only once all of it arrived). */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
