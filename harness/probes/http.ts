/**
 * The http probe, and the fetch both http and mcp probes send with: WHATWG fetch over node:http
 * with the probe's own keep-alive Agent, so connections are reused as real clients do, probes
 * never share a pool, and close() destroys every socket a probe holds. A write is one request
 * from the write template, a read one from the read template (`{id}` URL-encoded in paths, `{id}`
 * and `{payload}` as they are in bodies); 2xx is ok, anything else `http <status>`; the request is
 * aborted at op.timeoutMs.
 */
import { setMaxListeners } from 'node:events';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { errorKind, fillTemplate, SocketProbe, type SocketWatch, type Attempt, type Operation, type Probe } from './probe.js';

/** fetch's shape, as the MCP SDK's transport accepts it. */
export type Fetch = (url: string | URL, init?: RequestInit) => Promise<Response>;

/** A keep-alive agent for `url`'s protocol; `localAddress`: the address its sockets connect from. */
export function keepAliveAgent(url: URL, localAddress?: string): HttpAgent {
  const options = { keepAlive: true, ...(localAddress ? { localAddress } : {}) };
  return url.protocol === 'https:' ? new HttpsAgent(options) : new HttpAgent(options);
}

/**
 * fetch over node:http(s) through `agent`: string bodies, no redirects followed, aborts destroy the
 * request. `watch` sees every socket a request is given (new or reused from the pool).
 */
export function agentFetch(agent: HttpAgent, watch?: SocketWatch): Fetch {
  return (input, init = {}) =>
    new Promise((resolve, reject) => {
      const url = new URL(input);
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const headers = Object.fromEntries(new Headers(init.headers).entries());
      const req = send(url, { method: init.method ?? 'GET', agent, headers });
      if (watch) req.once('socket', (socket) => watch.watch(socket));
      const signal = init.signal;
      const abort = (): void => void req.destroy(signal?.reason ?? new Error('aborted'));
      if (signal?.aborted) abort();
      // The SDK passes one signal for every request of a transport; requests stuck in a black hole
      // keep their listener until they end, so more than Node's default 10 is expected, not a leak.
      if (signal) setMaxListeners(0, signal);
      signal?.addEventListener('abort', abort, { once: true });
      req.on('error', (err) => {
        signal?.removeEventListener('abort', abort);
        reject(err);
      });
      req.on('response', (res) => {
        res.once('close', () => signal?.removeEventListener('abort', abort));
        const status = res.statusCode ?? 0;
        // An empty body is drained here, so a caller that cancels it does not cost the pooled socket.
        const empty = status === 204 || status === 304 || req.method === 'HEAD' || res.headers['content-length'] === '0';
        const response = new Headers();
        for (let i = 0; i < res.rawHeaders.length; i += 2) response.append(res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string);
        if (empty) res.on('error', () => undefined).resume();
        try {
          const body = empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
          resolve(new Response(body, { status, statusText: res.statusMessage ?? '', headers: response }));
        } catch (err) {
          // e.g. a 1xx status, which a WHATWG Response cannot carry
          res.destroy();
          reject(err);
        }
      });
      if (init.body !== undefined && init.body !== null && typeof init.body !== 'string') {
        req.destroy(new TypeError('agentFetch sends string bodies only'));
      } else req.end(init.body ?? undefined);
    });
}

/** `body` as it is, calling `onEnd` once it ends, fails or is cancelled (e.g. an SSE stream is gone). */
export function watchEnd(body: ReadableStream<Uint8Array>, onEnd: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const chunk = await reader.read().catch((err: unknown) => {
        onEnd();
        throw err;
      });
      if (!chunk.done) return controller.enqueue(chunk.value);
      onEnd();
      controller.close();
    },
    cancel(reason) {
      onEnd();
      return reader.cancel(reason);
    },
  });
}

/** One request shape; `path` and `body` are templates with `{id}` and `{payload}`. */
export interface HttpRequestTemplate {
  readonly method?: string;
  readonly path?: string;
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Where the http probe sends, and what. */
export interface HttpProbeOptions {
  /** Base URL, e.g. `http://127.0.0.1:8666` (the proxy in front of the service). */
  readonly url: string;
  readonly label?: string;
  /** Default `POST /ops/{id}` with body `{payload}`. */
  readonly write?: HttpRequestTemplate;
  /** Default `GET /ops/{id}`. */
  readonly read?: HttpRequestTemplate;
  /** The local address to connect from (a loopback alias such as 127.0.0.2). */
  readonly localAddress?: string;
}

const defaults: Readonly<Record<Operation['kind'], HttpRequestTemplate>> = {
  write: { method: 'POST', path: '/ops/{id}', body: '{payload}', headers: { 'content-type': 'text/plain' } },
  read: { method: 'GET', path: '/ops/{id}' },
};

/** A real HTTP client through the proxy. */
export class HttpProbe extends SocketProbe implements Probe {
  readonly kind = 'http';
  readonly label: string;
  #base: URL;
  #templates: Readonly<Record<Operation['kind'], HttpRequestTemplate>>;
  #agent: HttpAgent;
  #fetch: Fetch;

  constructor(options: HttpProbeOptions) {
    super();
    this.#base = new URL(options.url);
    this.label = options.label ?? `http → ${this.#base.host}`;
    this.#templates = { write: { ...defaults.write, ...options.write }, read: { ...defaults.read, ...options.read } };
    this.#agent = keepAliveAgent(this.#base, options.localAddress);
    this.#fetch = agentFetch(this.#agent, this.watch);
  }

  /** Nothing to do: the agent connects on the first request. */
  async open(): Promise<void> {}

  async send(op: Operation): Promise<Attempt> {
    const start = performance.now();
    const template = this.#templates[op.kind];
    const signal = AbortSignal.timeout(Math.max(1, Math.ceil(op.timeoutMs)));
    try {
      const url = new URL(fillTemplate(template.path ?? '/', op, encodeURIComponent), this.#base);
      const body = template.body === undefined ? undefined : fillTemplate(template.body, op);
      const init = { method: template.method ?? 'GET', headers: { ...template.headers }, signal };
      const res = await this.#fetch(url, body === undefined ? init : { ...init, body });
      const text = await res.text();
      const end = performance.now();
      if (!res.ok) return { ok: false, error: `http ${res.status}`, start, end };
      return op.kind === 'read' ? { ok: true, start, end, value: text } : { ok: true, start, end };
    } catch (err) {
      // A timeout while the body streams surfaces as the socket's error: the signal knows better.
      return { ok: false, error: signal.aborted ? 'timeout' : errorKind(err), start, end: performance.now() };
    }
  }

  /** Destroys every socket of the probe's agent, in use or idle. */
  async close(): Promise<void> {
    this.#agent.destroy();
  }
}
