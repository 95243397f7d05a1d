/**
 * One SDK 1.x client and session of the mcp probe (2025-11-25), with its standalone SSE stream's
 * state as seen on the wire: the SDK re-opens a broken stream maxRetries times and then never
 * again (`lost`), which the probe (mcp.ts) must notice to recover it.
 */
import { EventEmitter, once } from 'node:events';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, type StreamableHTTPReconnectionOptions } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { watchEnd, type Fetch } from './http.js';
import { remaining, type SocketWatch } from './probe.js';

/** The SDK's defaults (1.32.2) for re-opening the standalone SSE stream. */
export const SDK_RECONNECTION: StreamableHTTPReconnectionOptions = { initialReconnectionDelay: 1000, maxReconnectionDelay: 30_000, reconnectionDelayGrowFactor: 1.5, maxRetries: 2 };

/** The standalone SSE stream of the current session: `lost` means the SDK stopped re-opening it. */
export type StreamState = 'none' | 'opening' | 'live' | 'retrying' | 'lost' | 'unsupported';

type Signal = 'change' | 'notification';

/** One SDK client and session, with its stream state as seen on the wire. */
export class Session {
  readonly client = new Client({ name: 'faultline-probe', version: '1.0.0' });
  readonly transport: StreamableHTTPClientTransport;
  stream: StreamState = 'none';
  /** Why the session must be replaced: the server forgot it, or holds a stream we cannot reopen. */
  gone: 'missing' | 'conflict' | undefined;
  /** The re-open in flight, if any. */
  reopening: Promise<void> | undefined;
  /** The probe is closing this session: its streams end by our hand, not the network's. */
  closing = false;
  #everLive = false;
  #failures = 0;
  #maxRetries: number;
  #events = new EventEmitter();
  #send: Fetch;

  #watch: SocketWatch;
  #standalone: (lastEventId: string | null) => boolean;

  /** `standalone` tells a GET of the standalone stream from the resumption of a request's stream by its Last-Event-ID. */
  constructor(url: URL, reconnection: StreamableHTTPReconnectionOptions, fetch: Fetch, watch: SocketWatch, standalone: (lastEventId: string | null) => boolean) {
    this.#maxRetries = reconnection.maxRetries;
    this.#send = fetch;
    this.#watch = watch;
    this.#standalone = standalone;
    this.transport = new StreamableHTTPClientTransport(url, { reconnectionOptions: reconnection, fetch: this.#fetch });
    this.client.fallbackNotificationHandler = async (n) => void this.#events.emit('notification', (n.params?.['data'] as { notify?: unknown } | undefined)?.notify);
  }

  /** Resolves true on the next `signal`, false at `deadline`. */
  waitFor(signal: Signal, deadline: number): Promise<boolean> {
    const timeout = AbortSignal.timeout(Math.max(1, Math.ceil(remaining(deadline))));
    return once(this.#events, signal, { signal: timeout }).then(() => true, () => false);
  }

  /** Calls `listener` with each notification's number (the demo server's `notify`; undefined for others) until the returned function is called. */
  onNotice(listener: (notice: unknown) => void): () => void {
    this.#events.on('notification', listener);
    return () => void this.#events.off('notification', listener);
  }

  /** Waits (until `deadline`) while the stream is in one of `states` (by default: not opened yet, or opening). */
  async settle(deadline: number, states: readonly StreamState[] = ['none', 'opening']): Promise<void> {
    while (states.includes(this.stream) && (await this.waitFor('change', deadline)));
  }

  #fetch = async (url: string | URL, init?: RequestInit): Promise<Response> => {
    if (init?.method !== 'GET' || !this.#standalone(new Headers(init.headers).get('last-event-id'))) return this.#send(url, init);
    this.#set('opening');
    const response = await this.#send(url, init).catch((err: unknown) => {
      this.#getFailed(0);
      throw err;
    });
    if (!response.ok || response.body === null) {
      this.#getFailed(response.status);
      return response;
    }
    this.#everLive = true;
    this.#failures = 0;
    this.#set('live');
    const body = watchEnd(response.body, () => {
      if (!this.closing) this.#watch.report('stream_end', 'the standalone SSE stream ended');
      this.#set(this.#maxRetries > 0 ? 'retrying' : 'lost');
    });
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };

  #getFailed(status: number): void {
    // The SDK never retries the first GET of a session, and retries a broken stream maxRetries times.
    this.#failures++;
    if (status === 405) this.#set('unsupported');
    else this.#set(!this.#everLive || this.#failures >= this.#maxRetries ? 'lost' : 'retrying');
  }

  #set(state: StreamState): void {
    this.stream = state;
    this.#events.emit('change');
  }
}
