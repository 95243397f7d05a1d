/**
 * The probe contract: a real client that sends one operation at a time through a proxy and says
 * what happened. Probes never retry, queue or cache by themselves; client policies (policy.ts)
 * wrap them, so every attempt is seen and timed.
 */
import type { Socket } from 'node:net';
import type { ClientReport } from '../result-client-schema.js';
import type { CallCue, CallOperation, CallResult, McpFacts, McpWireEvent } from './call.js';

/** One operation a probe sends; `id` is unique per operation and is what the upstream's ledger records. */
export interface Operation {
  readonly id: string;
  /** `write` is applied by the upstream (it lands in its ledger); `read` is idempotent. */
  readonly kind: 'write' | 'read';
  readonly payload: string;
  /** The probe gives up on the attempt after this long and reports a timeout. */
  readonly timeoutMs: number;
}

/** The result of one attempt, timed on the harness's monotonic clock (performance.now()). */
export interface Attempt {
  readonly ok: boolean;
  /** A short error kind when not ok: `ECONNREFUSED`, `ECONNRESET`, `timeout`, `closed`, `checksum`, `http 502`, … */
  readonly error?: string;
  readonly start: number;
  readonly end: number;
  /** For reads: the value the upstream returned. */
  readonly value?: string;
}

/**
 * Something the probe's own transport saw, whether or not a request was in flight: the peer reset
 * or closed a socket, a connect was refused, a stream ended. Timed on performance.now().
 */
export interface TransportEvent {
  readonly at: number;
  /** An errno code (`ECONNRESET`, `ECONNREFUSED`, `EPIPE`, …), `closed` (the peer's FIN) or `stream_end`. */
  readonly kind: string;
  readonly detail?: string;
}

/** Receives a probe's transport events. */
export type TransportListener = (event: TransportEvent) => void;

/** The built-in probe kinds. `connect` is the tcp probe for services that do not speak faultline's frames; `mcp-stdio` starts its server through `faultline stdio`. */
export type ProbeKind = 'tcp' | 'connect' | 'http' | 'mcp' | 'mcp-stdio';

/** Something an external client said or did that is not an answer on time: a late answer, a reconnect. */
export interface ClientEvent {
  readonly at: number;
  readonly event: 'late_answer' | 'reconnected';
  /** late_answer: the operation's id, whether it succeeded, its error, and how late it was (ms past the budget). */
  readonly id?: string;
  readonly ok?: boolean;
  readonly error?: string;
  readonly lateMs?: number;
  readonly detail?: string;
}

/** A real client through a proxy. */
export interface Probe {
  /** A built-in ProbeKind, `client` for `--client`, or any short name for a probe of yours. */
  readonly kind: string;
  /** A name for reports (e.g. `mcp → 127.0.0.1:8666`). */
  readonly label: string;
  /** Connects (and for MCP initialises the session). May fail: the runner records it and goes on. */
  open(): Promise<void>;
  /** One attempt of `op`. Never throws: failures are Attempts with ok false. */
  send(op: Operation): Promise<Attempt>;
  /**
   * MCP only: asks `trigger` to make the server push a notification and resolves true if the
   * client receives it within `timeoutMs` (the server → client stream works), false otherwise.
   * `trigger` may resolve with the notification's number, so that one is waited for.
   */
  checkNotifications?(trigger: () => Promise<unknown>, timeoutMs: number): Promise<boolean>;
  /** MCP only: what the probe did that the client library would not (lost streams re-opened, sessions replaced). */
  readonly recoveries?: { readonly reopened: number; readonly replaced: number };
  /** MCP only: one long tool call that streams progress; `cue` hears its progress and reconnections (call.ts). */
  call?(op: CallOperation, cue: (cue: CallCue) => void): Promise<CallResult>;
  /** MCP only: reports what the probe sees of its MCP streams from now on (one listener). */
  watchMcp?(listener: (event: McpWireEvent) => void): void;
  /** MCP only: the protocol spoken on the wire and the client SDK. */
  mcpFacts?(): McpFacts;
  /** Reports what the probe's sockets see from now on (one listener; a later call replaces it). */
  watchTransport?(listener: TransportListener): void;
  /** How many sockets the probe opened that are not closed yet (after close(): a leak). */
  openSockets?(): number;
  /**
   * True when the client behind the probe retries, queues and caches by itself (an external
   * client): the runner then drives it pass-through, one attempt per request, no queue, no cache,
   * with the scenario's whole budget as each operation's timeout (see client-policy.ts).
   */
  readonly ownPolicy?: boolean;
  /** Why the probe cannot go on (its client exited or broke the protocol); the runner stops the scenario with it. */
  fatal?(): string | undefined;
  /** Reports an external client's late answers and reconnects from now on (one listener; a later call replaces it). */
  watchClient?(listener: (event: ClientEvent) => void): void;
  /** An external client's own account for the result (its command, exit, stderr, counts). */
  external?(): ClientReport;
  /** Closes every socket the probe holds. */
  close(): Promise<void>;
}

/** Where a probe made by a factory connects: the proxy of one path of one scenario. */
export interface ProbeTarget {
  readonly host: string;
  readonly port: number;
  /** The path's name (`primary`, …). */
  readonly path: string;
  /** The scenario's name. */
  readonly scenario: string;
  /** Which client of a multi-client path the probe is (0-based); absent with one client. */
  readonly client?: number;
}

/** Makes the probe of one path of one scenario: runScenarios' `probe`, besides the built-in names. */
export type ProbeFactory = (target: ProbeTarget) => Probe;

/**
 * Watches a probe's sockets: what the network does to them, the peer's FIN (`closed`) and socket
 * errors that carry an errno code (a reset, a refused connect), reported at most once per socket
 * (the probe's own aborts and destroys carry no errno code and are not reported); and which of
 * them are still open.
 */
export class SocketWatch {
  #listener: TransportListener | undefined;
  #seen = new WeakSet<object>();
  #open = new Set<Socket>();

  set listener(listener: TransportListener) {
    this.#listener = listener;
  }

  /** Sockets watched and not closed yet. */
  get open(): number {
    return this.#open.size;
  }

  /** Starts watching `socket` (once; later calls for the same socket do nothing). */
  watch(socket: Socket): void {
    if (this.#seen.has(socket)) return;
    this.#seen.add(socket);
    this.#open.add(socket);
    socket.once('close', () => this.#open.delete(socket));
    let reported = false;
    const report = (kind: string, detail?: string): void => {
      if (reported) return;
      reported = true;
      this.#listener?.({ at: performance.now(), kind, ...(detail === undefined ? {} : { detail }) });
    };
    socket.on('end', () => report('closed'));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (typeof err.code === 'string' && /^E[A-Z]+$/.test(err.code)) report(err.code, err.message);
    });
  }

  /** Reports an event that is not a socket's (an SSE stream that ended). */
  report(kind: string, detail?: string): void {
    this.#listener?.({ at: performance.now(), kind, ...(detail === undefined ? {} : { detail }) });
  }
}

/**
 * The base of probes that talk over sockets they dial themselves: one SocketWatch, and the two
 * Probe methods that read it.
 */
export abstract class SocketProbe {
  /** Every socket the probe opens is handed to this watch. */
  protected readonly watch = new SocketWatch();

  watchTransport(listener: TransportListener): void {
    this.watch.listener = listener;
  }

  openSockets(): number {
    return this.watch.open;
  }
}

/** A failure a probe names itself (`timeout`, `closed`, `checksum`, `http 502`, …). */
export class ProbeError extends Error {
  readonly kind: string;

  constructor(kind: string, message: string = kind) {
    super(message);
    this.kind = kind;
  }
}

/**
 * The short kind of any error a client library throws: a ProbeError's kind, an errno code
 * (`ECONNREFUSED`, `ECONNRESET`, `EPIPE`), `closed` for a clean end before the reply (Node's
 * "socket hang up"), `timeout` (an AbortSignal.timeout), the cause's kind, or the message's start.
 */
export function errorKind(err: unknown): string {
  if (err instanceof ProbeError) return err.kind;
  if (!(err instanceof Error)) return String(err).slice(0, 60);
  const code = (err as NodeJS.ErrnoException).code;
  if (err.message === 'socket hang up') return 'closed';
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  if (err.name === 'TimeoutError') return 'timeout';
  if (err.cause !== undefined) return errorKind(err.cause);
  return err.message.slice(0, 60);
}

/** Milliseconds left until `deadline` (a performance.now() value), never negative. */
export function remaining(deadline: number): number {
  return Math.max(0, deadline - performance.now());
}

/** Settles like `promise`, or rejects with a `timeout` ProbeError at `deadline`. */
export function withDeadline<T>(promise: Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeError('timeout')), remaining(deadline));
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** `template` with `{id}` and `{payload}` replaced by `op`'s, each passed through `encode`. */
export function fillTemplate(template: string, op: Operation, encode: (value: string) => string = (v) => v): string {
  return template.replace(/\{(id|payload)\}/g, (_, key: string) => encode(key === 'id' ? op.id : op.payload));
}

/** A JSON arguments template: string values anywhere in it may hold `{id}` and `{payload}`. */
export type ArgsTemplate = Readonly<Record<string, unknown>>;

/** `template` with every string value filled from `op` (see fillTemplate). */
export function fillArgs(template: ArgsTemplate, op: Operation): Record<string, unknown> {
  const one = (value: unknown): unknown => {
    if (typeof value === 'string') return fillTemplate(value, op);
    if (Array.isArray(value)) return value.map(one);
    if (value !== null && typeof value === 'object') return fillArgs(value as ArgsTemplate, op);
    return value;
  };
  return Object.fromEntries(Object.entries(template).map(([key, value]) => [key, one(value)]));
}
