/**
 * The worker-thread design, as a prototype measured by `npm run bench:api -- --variant thread`:
 * the control API's HTTP server runs on the main thread; the registry and the data plane run in
 * a worker thread. Each request is handed to the worker (method, URL, headers, body), answered
 * there by the same routes through fastify's inject, and the answer is sent back. A toxic change
 * is answered once the data plane has applied it, as in-loop (Toxiproxy's contract).
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { buildApi } from '../proxy/api/app.js';
import { Registry } from '../proxy/registry.js';
import { startProbes } from './api-probes.js';

interface Request {
  id: number;
  kind: 'http' | 'probe';
  method?: string;
  url?: string;
  headers?: Record<string, string | string[] | undefined>;
  body?: Uint8Array;
  probe?: 'reset' | 'read' | 'connections';
}

interface Answer {
  id: number;
  status?: number;
  headers?: Record<string, string | string[] | number | undefined>;
  body?: string;
  result?: unknown;
}

/** The main thread's side: an HTTP server on 127.0.0.1:0 in front of the worker. */
export interface ThreadedServer {
  url: string;
  probe<T>(probe: 'reset' | 'read' | 'connections'): Promise<T>;
}

function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  return once(req, 'end').then(() => Buffer.concat(chunks));
}

/** Starts the worker and the HTTP front. */
export async function startThreaded(seed: string): Promise<ThreadedServer> {
  const worker = new Worker(new URL(import.meta.url), { argv: [seed] });
  const pending = new Map<number, (answer: Answer) => void>();
  let nextId = 1;
  worker.on('message', (answer: Answer) => pending.get(answer.id)?.(answer));
  const ask = (request: Omit<Request, 'id'>): Promise<Answer> =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, (answer) => {
        pending.delete(id);
        resolve(answer);
      });
      worker.postMessage({ id, ...request });
    });
  const http = createServer(async (req, res) => {
    const answer = await ask({ kind: 'http', method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: await body(req) });
    res.writeHead(answer.status ?? 500, answer.headers as Record<string, string>);
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    probe: async <T>(probe: 'reset' | 'read' | 'connections') => (await ask({ kind: 'probe', probe })).result as T,
  };
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  const registry = new Registry({ seed: String(process.argv[2] ?? 'bench') });
  const app = await buildApi(registry);
  await app.ready();
  const probes = startProbes(registry);
  port.on('message', async (request: Request) => {
    if (request.kind === 'probe') {
      port.postMessage({ id: request.id, result: probes[request.probe as 'reset' | 'read' | 'connections']() ?? null });
      return;
    }
    const reply = await app.inject({
      method: request.method as 'GET',
      url: request.url as string,
      headers: request.headers as Record<string, string>,
      // Structured cloning turned the Buffer into a plain Uint8Array.
      payload: Buffer.from(request.body as Uint8Array),
    });
    port.postMessage({ id: request.id, status: reply.statusCode, headers: reply.headers, body: reply.body });
  });
}
