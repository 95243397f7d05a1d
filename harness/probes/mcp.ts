/**
 * The mcp probe on 2025-11-25: SDK 1.x's Client and StreamableHTTPClientTransport through the
 * proxy (its sessions: mcp-session.ts). An attempt is one tool call with RequestOptions.timeout =
 * op.timeoutMs; a session the server forgot (404) is replaced on the next attempt, as part of it.
 * The SDK re-opens a broken standalone SSE stream maxRetries times and then never again, so the
 * probe recovers a lost stream (re-open it in the session, from the last event id it saw, so the
 * server can replay what was missed; refused with 404 or 409: a new session) after each successful
 * call, and before checking notifications. A long call (`call`) is left to the SDK's own stream
 * resumption. All HTTP goes through the probe's own keep-alive agent (see http.ts), so close()
 * leaves no socket, and through a tap (sse-tap.ts) that tells what happened on the wire.
 */
import type { Agent } from 'node:http';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { sdkVersion } from '../mcp-sdk.js';
import type { CallCue, CallOperation, CallResult, McpFacts, McpWireEvent } from './call.js';
import { agentFetch, keepAliveAgent } from './http.js';
import { DEFAULT_TOOL_CALLS, resultText, streamArguments, type McpProbeOptions, type ToolCall } from './mcp-options.js';
import { SDK_RECONNECTION, Session, type StreamState } from './mcp-session.js';
import { McpWire } from './mcp-wire.js';
import { errorKind, fillArgs, remaining, SocketProbe, withDeadline, type Attempt, type Operation, type Probe } from './probe.js';
import { tapFetch } from './sse-tap.js';

export { SDK_RECONNECTION, type StreamState } from './mcp-session.js';
export type { McpProbeOptions, ToolCall } from './mcp-options.js';

/** A real MCP client through the proxy. */
export class McpProbe extends SocketProbe implements Probe {
  readonly kind = 'mcp';
  readonly label: string;
  #calls: Readonly<Record<Operation['kind'], ToolCall>>;
  #agent: Agent;
  #newSession: () => Session;
  #session: Session | undefined;
  #retired = new Set<Session>();
  #recoveries = { reopened: 0, replaced: 0 };
  #repair: boolean;
  #wire = new McpWire();

  constructor(options: McpProbeOptions) {
    super();
    this.#repair = options.repairStream ?? true;
    const url = new URL(options.url);
    this.label = options.label ?? `mcp → ${url.host}`;
    this.#calls = { write: options.write ?? DEFAULT_TOOL_CALLS.write, read: options.read ?? DEFAULT_TOOL_CALLS.read };
    this.#agent = keepAliveAgent(url);
    const send = tapFetch(agentFetch(this.#agent, this.watch), this.#wire);
    this.#newSession = () => new Session(url, options.reconnection ?? SDK_RECONNECTION, send, this.watch, (lei) => this.#wire.isStandalone(lei));
  }

  watchMcp(listener: (event: McpWireEvent) => void): void {
    this.#wire.listener = listener;
  }

  mcpFacts(): McpFacts {
    return { protocol: this.#wire.protocol, sdk: sdkVersion('@modelcontextprotocol/sdk'), sessions: this.#wire.sessions, reopened: this.#recoveries.reopened };
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
      const text = resultText(result);
      if (result.isError) return { ok: false, error: `tool error: ${text.slice(0, 60)}`, start, end };
      return op.kind === 'write' ? { ok: true, start, end } : { ok: true, start, end, value: text };
    } catch (err) {
      if (session && err instanceof StreamableHTTPError && err.code === 404) session.gone = 'missing';
      return { ok: false, error: mcpErrorKind(err), start, end: performance.now() };
    }
  }

  /** One long call (the `stream` tool); the SDK resumes its stream by itself (2025-11-25 resumability). */
  async call(op: CallOperation, cue: (cue: CallCue) => void): Promise<CallResult> {
    const start = performance.now();
    const deadline = start + op.timeoutMs;
    const delivered: number[] = [];
    const done = this.#wire.cue(op.id, cue);
    let result = false;
    let error: string | undefined;
    try {
      const session = !this.#session || this.#session.gone ? await this.#connect(deadline) : this.#session;
      const onprogress = ({ progress }: { progress: number }): void => {
        delivered.push(progress);
        cue({ kind: 'progress', count: delivered.length });
      };
      const answer = await session.client.callTool({ name: 'stream', arguments: streamArguments(op) }, undefined, { timeout: remaining(deadline), onprogress });
      result = true;
      if (answer.isError) error = `tool error: ${resultText(answer).slice(0, 60)}`;
    } catch (err) {
      error = mcpErrorKind(err);
    } finally {
      done();
    }
    const requests = this.#wire.requestIds(op.id).map((id, i, all) => ({ request_id: id, delivered: i === all.length - 1 ? delivered : [], result: result && i === all.length - 1, abandoned: false }));
    return { ok: error === undefined, ...(error === undefined ? {} : { error }), start, end: performance.now(), requests };
  }

  /**
   * True if the notification `trigger` makes the server push reaches this client within
   * `timeoutMs` (when `trigger` resolves with the notification's number, that one; else any).
   * Waits while the SDK is still re-opening the stream; if it gave up, recovers it first (see
   * `recoveries`): the answer is what a client with this recovery logic receives.
   */
  async checkNotifications(trigger: () => Promise<unknown>, timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    const session = await this.#recover(deadline).catch(() => undefined);
    if (!session) return false;
    const seen: unknown[] = [];
    /** The notification to wait for: undefined until `trigger` answered, null for any. */
    let want: unknown;
    let settle: (ok: boolean) => void = () => undefined;
    const arrived = new Promise<boolean>((resolve) => (settle = resolve));
    const hit = (): boolean => (want === null ? seen.length > 0 : seen.includes(want));
    const stop = session.onNotice((notice) => {
      seen.push(notice);
      if (want !== undefined && hit()) settle(true);
    });
    const timer = setTimeout(() => settle(false), remaining(deadline));
    try {
      const pushed = await trigger();
      want = typeof pushed === 'number' ? pushed : null;
      if (hit()) settle(true);
      return await arrived;
    } finally {
      clearTimeout(timer);
      stop();
    }
  }

  async close(): Promise<void> {
    const sessions = [...this.#retired, ...(this.#session ? [this.#session] : [])];
    this.#session = undefined;
    this.#retired.clear();
    // Closing a client aborts every fetch of its transport, the SSE stream included.
    for (const session of sessions) session.closing = true;
    this.#wire.closing = true;
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
    const from = this.#wire.standaloneEventId(session.transport.sessionId) ?? '';
    session.reopening ??= session.transport.resumeStream(from).then(reopened, refused).finally(() => (session.reopening = undefined));
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
export function mcpErrorKind(err: unknown): string {
  if (err instanceof McpError && err.code === ErrorCode.RequestTimeout) return 'timeout';
  if (err instanceof McpError && err.code === ErrorCode.ConnectionClosed) return 'closed';
  if (err instanceof McpError) return err.message.slice(0, 80);
  if (err instanceof StreamableHTTPError && (err.code ?? 0) > 0) return `http ${err.code}`;
  return errorKind(err);
}
