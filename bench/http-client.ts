/**
 * A control-API client for benchmarks and soak tests: node:http with its own keep-alive agent (so
 * a test can close its API sockets before it counts the proxy's file descriptors), timing every
 * request. A request with no answer within TIMEOUT_MS (or a connection error) answers status 0.
 */
import { Agent, request } from 'node:http';

/** How long a request may go unanswered. */
const TIMEOUT_MS = 10_000;

/** One answered request. */
export interface Timed {
  /** The HTTP status, or 0 when there was no answer (the body then says why). */
  status: number;
  body: string;
  /** From the request being sent to the last byte of the answer, ms. */
  ms: number;
}

/** A client of one server URL. */
export interface HttpClient {
  /** Sends one request (a body is sent as JSON) and times it; never rejects. */
  send(method: string, path: string, body?: unknown): Promise<Timed>;
  /** Like send, but throws unless the answer has `status`. */
  expect(status: number, method: string, path: string, body?: unknown): Promise<Timed>;
  /** Closes the client's sockets. */
  close(): void;
}

/** A client of `url` using up to `sockets` keep-alive connections. */
export function httpClient(url: string, sockets = 4): HttpClient {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  const base = new URL(url);
  const send = (method: string, path: string, body?: unknown): Promise<Timed> =>
    new Promise((resolve) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const start = performance.now();
      const req = request(
        {
          agent,
          host: base.hostname,
          port: base.port,
          method,
          path,
          headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.once('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), ms: performance.now() - start }),
          );
          res.once('error', (err) => resolve({ status: 0, body: String(err), ms: performance.now() - start }));
        },
      );
      req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
      req.once('error', (err) => resolve({ status: 0, body: String(err), ms: performance.now() - start }));
      req.end(payload);
    });
  return {
    send,
    expect: async (status, method, path, body) => {
      const answer = await send(method, path, body);
      if (answer.status !== status) throw new Error(`${method} ${path}: ${answer.status} ${answer.body}`);
      return answer;
    },
    close: () => agent.destroy(),
  };
}

/** The port of the `listen` address in a proxy's JSON. */
export function listenPort(proxyJson: string): number {
  const listen = (JSON.parse(proxyJson) as { listen: string }).listen;
  return Number(listen.slice(listen.lastIndexOf(':') + 1));
}
