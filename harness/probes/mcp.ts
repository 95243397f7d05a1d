/**
 * The mcp probe: the SDK's Client and StreamableHTTPClientTransport through the proxy. An attempt
 * is one tool call with RequestOptions.timeout = op.timeoutMs; a session the server forgot (404)
 * is replaced on the next attempt, as part of it. The standalone SSE stream is watched through the
 * transport's fetch: the SDK re-opens a broken one maxRetries times and then never again, so the
 * probe recovers a lost stream (re-open it in the session; refused with 404 or 409: a new session)
 * after each successful call, and before checking notifications. HTTP goes through the probe's own
 * keep-alive agent (see http.ts), so close() leaves no socket.
 */
import { EventEmitter, once } from 'node:events';
import type { Agent } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError, type StreamableHTTPReconnectionOptions } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { agentFetch, keepAliveAgent, watchEnd, type Fetch } from './http.js';
import {
  errorKind,
  fillArgs,
  remaining,
  SocketWatch,
  withDeadline,
  type ArgsTemplate,
  type Attempt,
  type Operation,
  type Probe,
  type TransportListener,
} from './probe.js';

/** The SDK's defaults (1.32.2) for re-opening the standalone SSE stream. */
export const SDK_RECONNECTION: StreamableHTTPReconnectionOptions = { initialReconnectionDelay: 1000, maxReconnectionDelay: 30_000, reconnectionDelayGrowFactor: 1.5, maxRetries: 2 };

/** The standalone SSE stream of the current session: `lost` means the SDK stopped re-opening it. */
export type StreamState = 'none' | 'opening' | 'live' | 'retrying' | 'lost' | 'unsupported';

/** A tool to call and its arguments template. */
export interface ToolCall {
  readonly tool: string;
  readonly args: ArgsTemplate;
}

const defaultCalls: Readonly<Record<Operation['kind'], ToolCall>> = {
  write: { tool: 'record', args: { id: '{id}', payload: '{payload}' } },
  read: { tool: 'read', args: { id: '{id}' } },
};

/** Where the mcp probe connects and which tools it calls. */
export interface McpProbeOptions {
  /** The MCP endpoint through the proxy, e.g. `http://127.0.0.1:8666/mcp`. */
  readonly url: string;
  readonly label?: string;
  /** The tool and arguments of a write; default `record {id, payload}`. */
  readonly write?: ToolCall;
  /** The tool and arguments of a read; default `read {id}`. */
  readonly read?: ToolCall;
  readonly reconnection?: StreamableHTTPReconnectionOptions;
  /** Re-open a stream the SDK gave up on (default true). False shows what the SDK alone does. */
  readonly repairStream?: boolean;
}

type Signal = 'change' | 'notification';

/** One SDK client and session, with its stream state as seen on the wire. */
class Session {
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

  constructor(url: URL, reconnection: StreamableHTTPReconnectionOptions, fetch: Fetch, watch: SocketWatch) {
    this.#maxRetries = reconnection.maxRetries;
    this.#send = fetch;
    this.#watch = watch;
    this.transport = new StreamableHTTPClientTransport(url, { reconnectionOptions: reconnection, fetch: this.#fetch });
    this.client.fallbackNotificationHandler = async () => void this.#events.emit('notification');
  }

  /** Resolves true on the next `signal`, false at `deadline`. */
  waitFor(signal: Signal, deadline: number): Promise<boolean> {
    const timeout = AbortSignal.timeout(Math.max(1, Math.ceil(remaining(deadline))));
    return once(this.#events, signal, { signal: timeout }).then(() => true, () => false);
  }

  /** Waits (until `deadline`) while the stream is in one of `states` (by default: not opened yet, or opening). */
  async settle(deadline: number, states: readonly StreamState[] = ['none', 'opening']): Promise<void> {
    while (states.includes(this.stream) && (await this.waitFor('change', deadline)));
  }

  #fetch = async (url: string | URL, init?: RequestInit): Promise<Response> => {
    if (init?.method !== 'GET') return this.#send(url, init);
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

/** A real MCP client through the proxy. */
export class McpProbe implements Probe {
  readonly kind = 'mcp';
  readonly label: string;
  #calls: Readonly<Record<Operation['kind'], ToolCall>>;
  #agent: Agent;
  #newSession: () => Session;
  #session: Session | undefined;
  #retired = new Set<Session>();
  #recoveries = { reopened: 0, replaced: 0 };
  #repair: boolean;
  #watch = new SocketWatch();

  constructor(options: McpProbeOptions) {
    this.#repair = options.repairStream ?? true;
    const url = new URL(options.url);
    this.label = options.label ?? `mcp → ${url.host}`;
    this.#calls = { write: options.write ?? defaultCalls.write, read: options.read ?? defaultCalls.read };
    this.#agent = keepAliveAgent(url);
    const send = agentFetch(this.#agent, this.#watch);
    this.#newSession = () => new Session(url, options.reconnection ?? SDK_RECONNECTION, send, this.#watch);
  }

  watchTransport(listener: TransportListener): void {
    this.#watch.listener = listener;
  }

  openSockets(): number {
    return this.#watch.open;
  }

  /** The standalone SSE stream of the current session. */
  get stream(): StreamState {
    return this.#session?.stream ?? 'none';
  }

  /** What the probe did that the SDK would not: lost streams re-opened, sessions replaced. */
  get recoveries(): { readonly reopened: number; readonly replaced: number } {
    return { ...this.#recoveries };
  }

  /** Initialises a session and waits for its SSE stream to open (or fail); throws on failure. */
  async open(): Promise<void> {
    const deadline = performance.now() + 10_000;
    await (await this.#connect(deadline)).settle(deadline);
  }

  async send(op: Operation): Promise<Attempt> {
    const start = performance.now();
    const deadline = start + op.timeoutMs;
    let session = this.#session;
    try {
      if (!session || session.gone) session = await this.#connect(deadline);
      const { tool, args } = this.#calls[op.kind];
      const params = { name: tool, arguments: fillArgs(args, op) };
      const result = await session.client.callTool(params, undefined, { timeout: remaining(deadline) });
      const end = performance.now();
      if (session.stream === 'lost' && this.#repair) void this.#reopen(session);
      const text = (result.content as Array<{ type: string; text?: string }>).find((c) => c.type === 'text')?.text ?? '';
      if (result.isError) return { ok: false, error: `tool error: ${text.slice(0, 60)}`, start, end };
      return op.kind === 'write' ? { ok: true, start, end } : { ok: true, start, end, value: text };
    } catch (err) {
      if (session && err instanceof StreamableHTTPError && err.code === 404) session.gone = 'missing';
      return { ok: false, error: mcpErrorKind(err), start, end: performance.now() };
    }
  }

  /**
   * True if the notification `trigger` makes the server push reaches this client within
   * `timeoutMs`. Waits while the SDK is still re-opening the stream; if it gave up, recovers it
   * first (see `recoveries`): the answer is what a client with this recovery logic receives.
   */
  async checkNotifications(trigger: () => Promise<void>, timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    const session = await this.#recover(deadline).catch(() => undefined);
    if (!session) return false;
    const arrived = session.waitFor('notification', deadline);
    await trigger();
    return arrived;
  }

  async close(): Promise<void> {
    const sessions = [...this.#retired, ...(this.#session ? [this.#session] : [])];
    this.#session = undefined;
    this.#retired.clear();
    // Closing a client aborts every fetch of its transport, the SSE stream included.
    for (const session of sessions) session.closing = true;
    await Promise.all(sessions.map((s) => s.client.close()));
    this.#agent.destroy();
  }

  async #connect(deadline: number): Promise<Session> {
    const session = this.#newSession();
    try {
      await session.client.connect(session.transport, { timeout: remaining(deadline) });
    } catch (err) {
      await session.client.close();
      throw err;
    }
    if (this.#session) {
      this.#recoveries.replaced++;
      this.#retire(this.#session);
    }
    this.#session = session;
    return session;
  }

  /** The current session with its stream up, as far as `deadline` allows; a new session if needed. */
  async #recover(deadline: number): Promise<Session> {
    let session = this.#session;
    await session?.settle(deadline, ['none', 'opening', 'retrying']);
    if (session?.stream === 'lost' && this.#repair) await withDeadline(this.#reopen(session), deadline).catch(() => undefined);
    if (!session || session.gone) {
      session = await this.#connect(deadline);
      await session.settle(deadline);
    }
    return session;
  }

  /** Re-opens a lost stream in `session`; a refusal (404, 409) marks the session for replacement. */
  #reopen(session: Session): Promise<void> {
    const reopened = (): void => void this.#recoveries.reopened++;
    const refused = (err: unknown): void => {
      const status = err instanceof StreamableHTTPError ? err.code : undefined;
      if (status === 404 || status === 409) session.gone = status === 409 ? 'conflict' : 'missing';
    };
    session.reopening ??= session.transport.resumeStream('').then(reopened, refused).finally(() => (session.reopening = undefined));
    return session.reopening;
  }

  /** Closes a replaced session; one the server still holds is ended with DELETE first (1 s at most). */
  #retire(session: Session): void {
    this.#retired.add(session);
    const ended = session.gone === 'conflict' ? session.transport.terminateSession().catch(() => undefined) : undefined;
    const cap = new Promise((resolve) => setTimeout(resolve, 1000).unref());
    session.closing = true;
    void Promise.race([ended, cap]).then(() => session.client.close()).then(() => this.#retired.delete(session));
  }
}

/** The short kind of an SDK failure: `timeout`, `closed`, `http 404`, the McpError text, or a socket error. */
function mcpErrorKind(err: unknown): string {
  if (err instanceof McpError && err.code === ErrorCode.RequestTimeout) return 'timeout';
  if (err instanceof McpError && err.code === ErrorCode.ConnectionClosed) return 'closed';
  if (err instanceof McpError) return err.message.slice(0, 80);
  if (err instanceof StreamableHTTPError && (err.code ?? 0) > 0) return `http ${err.code}`;
  return errorKind(err);
}
