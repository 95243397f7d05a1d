/**
 * A control-API client for soak tests: node:http with its own keep-alive agent (so the test can
 * close its API sockets before it counts the proxy's file descriptors), timing every request.
 */
import { Agent, request } from 'node:http';

/** One answered request. */
export interface Timed {
  status: number;
  body: string;
  /** From the request being sent to the last byte of the answer, ms. */
  ms: number;
}

/** A client of one server URL. */
export interface ApiClient {
  /** Sends one request (a body is sent as JSON) and times it. */
  send(method: string, path: string, body?: unknown): Promise<Timed>;
  /** Like send, but throws unless the answer has `status`. */
  expect(status: number, method: string, path: string, body?: unknown): Promise<Timed>;
  /** Closes the client's sockets. */
  close(): void;
}

/** A client of `url` using up to `sockets` keep-alive connections. */
export function apiClient(url: string, sockets = 4): ApiClient {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  const base = new URL(url);
  const send = (method: string, path: string, body?: unknown): Promise<Timed> =>
    new Promise((resolve, reject) => {
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
          res.once('error', reject);
        },
      );
      req.once('error', reject);
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
