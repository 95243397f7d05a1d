/**
 * The mcp probe on 2026-07-28: SDK 2.x's Client pinned to that revision (`server/discover`, the
 * per-request `_meta` envelope, no session, no standalone stream) through the proxy. An attempt
 * is one tool call. A long call (`call`) follows the spec: a broken response stream loses the
 * request, so the probe re-issues it as a new request with a new id, at once after a stream that
 * had opened, with a short backoff after one that never connected, until the call's deadline.
 * (SDK 2.4.0 does not do this itself: measured, it leaves the call pending until its timeout.)
 * Same agent, socket watch and wire tap as the 2025-11-25 probe.
 */
import type { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, SdkError, SdkErrorCode, SdkHttpError, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { sdkVersion } from '../mcp-sdk.js';
import type { CallCue, CallOperation, CallResult, ClientRequest, McpFacts, McpWireEvent } from './call.js';
import { agentFetch, keepAliveAgent, type Fetch } from './http.js';
import { DEFAULT_TOOL_CALLS, resultText, streamArguments, type McpProbeOptions, type ToolCall } from './mcp-options.js';
import { McpWire } from './mcp-wire.js';
import { errorKind, fillArgs, remaining, SocketProbe, type Attempt, type Operation, type Probe } from './probe.js';
import { tapFetch } from './sse-tap.js';

/** Backoff between re-issues that could not connect: 50 ms, doubling, at most this. */
const MAX_BACKOFF_MS = 400;

/** A real MCP client on 2026-07-28 through the proxy. */
export class McpModernProbe extends SocketProbe implements Probe {
  readonly kind = 'mcp';
  readonly label: string;
  #url: URL;
  #calls: Readonly<Record<Operation['kind'], ToolCall>>;
  #agent: Agent;
  #wire = new McpWire();
  #fetch: Fetch;
  #client: Client | undefined;

  constructor(options: McpProbeOptions) {
    super();
    this.#url = new URL(options.url);
    this.label = options.label ?? `mcp → ${this.#url.host}`;
    this.#calls = { write: options.write ?? DEFAULT_TOOL_CALLS.write, read: options.read ?? DEFAULT_TOOL_CALLS.read };
    this.#agent = keepAliveAgent(this.#url);
    this.#fetch = tapFetch(agentFetch(this.#agent, this.watch), this.#wire);
  }

  watchMcp(listener: (event: McpWireEvent) => void): void {
    this.#wire.listener = listener;
  }

  mcpFacts(): McpFacts {
    return { protocol: this.#wire.protocol, sdk: sdkVersion('@modelcontextprotocol/client'), sessions: this.#wire.sessions, reopened: 0 };
  }

  /** Discovers the server (2026-07-28 or nothing); throws when it does not speak it or cannot be reached. */
  async open(): Promise<void> {
    await this.#connect(performance.now() + 10_000);
  }

  async send(op: Operation): Promise<Attempt> {
    const start = performance.now();
    const deadline = start + op.timeoutMs;
    try {
      const client = await this.#connect(deadline);
      const { tool, args } = this.#calls[op.kind];
      const result = await client.callTool({ name: tool, arguments: fillArgs(args, op) }, { timeout: Math.max(1, remaining(deadline)) });
      const end = performance.now();
      const text = resultText(result);
      if (result.isError) return { ok: false, error: `tool error: ${text.slice(0, 60)}`, start, end };
      return op.kind === 'write' ? { ok: true, start, end } : { ok: true, start, end, value: text };
    } catch (err) {
      return { ok: false, error: modernErrorKind(err), start, end: performance.now() };
    }
  }

  /** One long call, re-issued with a new request id whenever its response stream breaks. */
  async call(op: CallOperation, cue: (cue: CallCue) => void): Promise<CallResult> {
    const start = performance.now();
    const deadline = start + op.timeoutMs;
    const requests: ClientRequest[] = [];
    const done = this.#wire.cue(op.id, cue);
    let delivered = 0;
    let backoff = 50;
    let error: string | undefined = 'timeout';
    try {
      while (remaining(deadline) > 0) {
        const sent = this.#wire.requestIds(op.id).length;
        const attempt = await this.#attempt(op, deadline, (n) => cue({ kind: 'progress', count: (delivered += n) }));
        const id = this.#wire.requestIds(op.id)[sent];
        if (id !== undefined) requests.push({ request_id: id, delivered: attempt.delivered, result: attempt.result, abandoned: false });
        if (!attempt.lost) {
          error = attempt.error;
          break;
        }
        const last = requests.at(-1);
        if (last) last.abandoned = true;
        if (!attempt.opened) {
          await sleep(Math.min(backoff, remaining(deadline)));
          backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        }
      }
    } finally {
      done();
    }
    return { ok: error === undefined, ...(error === undefined ? {} : { error }), start, end: performance.now(), requests };
  }

  async close(): Promise<void> {
    this.#wire.closing = true;
    await this.#client?.close().catch(() => undefined);
    this.#client = undefined;
    this.#agent.destroy();
  }

  /**
   * One request of a call: ends with its result, an answer that is an error, at the deadline, or
   * lost (`lost`: its stream broke, after it had opened or not, or its connection failed), which
   * the caller re-issues.
   */
  async #attempt(op: CallOperation, deadline: number, progressed: (n: number) => void): Promise<{ result: boolean; error?: string; lost: boolean; opened: boolean; delivered: number[] }> {
    const delivered: number[] = [];
    const abort = new AbortController();
    const sent = this.#wire.requestIds(op.id).length;
    let opened = false;
    // The SDK sends asynchronously: this attempt's request is the call's request number `sent`.
    const broke = (o: string, requestId: string, wasOpen: boolean): void => {
      if (o !== op.id || this.#wire.requestIds(op.id).indexOf(requestId) !== sent) return;
      opened = wasOpen;
      abort.abort(new Error('the response stream broke'));
    };
    this.#wire.on('call-stream-end', broke);
    try {
      const client = await this.#connect(deadline);
      const onprogress = ({ progress }: { progress: number }): void => {
        delivered.push(progress);
        progressed(1);
      };
      const answer = await client.callTool({ name: 'stream', arguments: streamArguments(op) }, { signal: abort.signal, timeout: Math.max(1, remaining(deadline)), onprogress });
      return { result: true, ...(answer.isError ? { error: `tool error: ${resultText(answer).slice(0, 60)}` } : {}), lost: false, opened: true, delivered };
    } catch (err) {
      // The SDK turns an abort into a RequestTimeout error: our abort is a broken stream, not a timeout.
      if (abort.signal.aborted) return { result: false, error: 'stream broke', lost: true, opened, delivered };
      const timedOut = remaining(deadline) <= 0 || (err instanceof SdkError && err.code === SdkErrorCode.RequestTimeout);
      const error = timedOut ? 'timeout' : modernErrorKind(err);
      // Only a request lost on the way (a failed or dropped connection) is re-issued; an answer that is an error is the call's outcome.
      return { result: false, error, lost: !timedOut && (/^E[A-Z]+$/.test(error) || error === 'closed'), opened, delivered };
    } finally {
      this.#wire.off('call-stream-end', broke);
    }
  }

  /** The connected client (discovering the server first if needed). */
  async #connect(deadline: number): Promise<Client> {
    if (this.#client) return this.#client;
    const client = new Client({ name: 'faultline-probe', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    const transport = new StreamableHTTPClientTransport(this.#url, { fetch: this.#fetch });
    try {
      await client.connect(transport, { timeout: Math.max(1, remaining(deadline)) });
    } catch (err) {
      await client.close().catch(() => undefined);
      throw err;
    }
    this.#client = client;
    return client;
  }
}

/** The short kind of an SDK 2.x failure: `timeout`, `closed`, `http 404`, the SDK's message, or a socket error. */
function modernErrorKind(err: unknown): string {
  if (err instanceof SdkHttpError && typeof (err.data as { status?: unknown } | undefined)?.status === 'number') return `http ${(err.data as { status: number }).status}`;
  if (err instanceof SdkError && err.code === SdkErrorCode.RequestTimeout) return 'timeout';
  if (err instanceof SdkError && err.code === SdkErrorCode.ConnectionClosed) return 'closed';
  return errorKind(err);
}
