/**
 * The client probe: your own client, in any language, as a process speaking the line protocol of
 * client-protocol.ts. One process per path, started with FAULTLINE_TARGET (the path's proxy),
 * FAULTLINE_PATH and FAULTLINE_SCENARIO. Each operation is timed from writing its line to reading
 * its answer; no answer within the budget (+ ANSWER_GRACE_MS) is a `timeout`, and an answer that
 * comes later is kept as a late answer. Until the client is known to be up (it printed
 * `{"event":"ready"}` or answered once) only the first operation is written: it waits up to
 * `startupMs` for the client to start, and a `ready` line restarts its clock. The operations after
 * it are held back and written once the client is up, each timed from its own write, so a `ready`
 * line the harness reads late shortens no operation but the first. A client that exits,
 * writes a line that is not the protocol, answers an id it was never sent, or answers nothing
 * before its first operation times out, is fatal: the runner stops the scenario with the reason.
 */
import { ClientProcess, type ClientExit } from './client-process.js';
import { parseClientLine, quote, requestLine, type ClientLine } from './client-protocol.js';
import type { ClientReport } from '../result-client-schema.js';
import type { Attempt, ClientEvent, Operation, Probe, ProbeFactory, ProbeTarget, TransportListener } from './probe.js';

/** How much later than its budget the harness still takes an answer as on time (process scheduling). */
export const ANSWER_GRACE_MS = 250;
/** How long the first operations may wait for a client to start, by default. */
export const DEFAULT_STARTUP_MS = 10_000;

/** Options of the client probe. */
export interface ClientProbeOptions {
  /** Run through the shell, e.g. `python3 examples/clients/python-client.py`. */
  readonly command: string;
  readonly target: ProbeTarget;
  /** How long the first operations may wait for the client to start (default 10 s). */
  readonly startupMs?: number;
  /** Receives each line the client writes on stderr. */
  readonly log?: (line: string, target: ProbeTarget) => void;
}

/** An operation written to the client and not answered yet. */
interface Outstanding {
  readonly id: string;
  readonly line: string;
  /** When its line was written (or, while held back, when it was sent). */
  start: number;
  readonly budget: number;
  timer: NodeJS.Timeout | undefined;
  /** Set until the operation is settled (answered, timed out, or failed with the client). */
  resolve: ((attempt: Attempt) => void) | undefined;
}

/** Makes a client probe per path running `command` (runScenarios' `probe`). */
export function clientProbes(command: string, options: Omit<ClientProbeOptions, 'command' | 'target'> = {}): ProbeFactory {
  return (target) => new ClientProbe({ ...options, command, target });
}

/** An external client process through the proxy of one path. */
export class ClientProbe implements Probe {
  readonly kind = 'client';
  readonly label: string;
  readonly ownPolicy = true;
  #options: ClientProbeOptions;
  #process: ClientProcess | undefined;
  /** Per id, oldest first: operations written and not answered (a read shares its target write's id). */
  #outstanding = new Map<string, Outstanding[]>();
  #up = false;
  /** Sent before the client was up, after the first operation: written once it is. */
  #held: Outstanding[] = [];
  #answered = false;
  #fatal: string | undefined;
  #counts = { answers: 0, late_answers: 0, disconnects: 0, reconnects: 0 };
  #transport: TransportListener | undefined;
  #client: ((event: ClientEvent) => void) | undefined;
  #exit: ClientExit | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: ClientProbeOptions) {
    this.#options = options;
    const { host, port, path } = options.target;
    this.label = `client ${path} → ${hostPort(host, port)}`;
  }

  /** Starts the client process. */
  async open(): Promise<void> {
    const { host, port, path, scenario } = this.#options.target;
    const env = { FAULTLINE_TARGET: hostPort(host, port), FAULTLINE_PATH: path, FAULTLINE_SCENARIO: scenario };
    this.#process = new ClientProcess(this.#options.command, env, {
      line: (line) => this.#onLine(line),
      stderr: (line) => this.#options.log?.(line, this.#options.target),
      exited: (code, signal) => {
        const last = this.#process?.lastStderrLine();
        this.#fail(`exited ${signal ? `on ${signal}` : `with code ${code}`} during the run${last === undefined ? '' : `; its last stderr line: ${quote(last)}`}`);
      },
    });
  }

  watchTransport(listener: TransportListener): void {
    this.#transport = listener;
  }

  watchClient(listener: (event: ClientEvent) => void): void {
    this.#client = listener;
  }

  fatal(): string | undefined {
    return this.#fatal;
  }

  /** Writes the operation's line and resolves with its answer, a timeout, or the client's failure. */
  send(op: Operation): Promise<Attempt> {
    const start = performance.now();
    if (this.#fatal !== undefined || !this.#process || this.#closing) return Promise.resolve({ ok: false, error: 'client failed', start, end: start });
    const line = requestLine(op, op.timeoutMs);
    return new Promise((resolve) => {
      const entry: Outstanding = { id: op.id, line, start, budget: op.timeoutMs, timer: undefined, resolve };
      this.#arm(entry, op.timeoutMs + ANSWER_GRACE_MS + (this.#up ? 0 : (this.#options.startupMs ?? DEFAULT_STARTUP_MS)));
      if (!this.#up && this.#outstanding.size > 0) {
        this.#held.push(entry);
        return;
      }
      this.#write(entry);
    });
  }

  #write(entry: Outstanding): void {
    const list = this.#outstanding.get(entry.id) ?? [];
    list.push(entry);
    this.#outstanding.set(entry.id, list);
    this.#process?.write(entry.line);
  }

  /** The client is up: the operations held back are written now, each timed from its write. */
  #becomeUp(): void {
    this.#up = true;
    const now = performance.now();
    for (const entry of this.#held.splice(0)) {
      if (!entry.resolve) continue;
      entry.start = now;
      this.#arm(entry, entry.budget + ANSWER_GRACE_MS);
      this.#write(entry);
    }
  }

  /** Stops the client (stdin EOF, then SIGTERM, then SIGKILL) and settles what is still open; once. */
  close(): Promise<void> {
    this.#closing ??= this.#closeNow();
    return this.#closing;
  }

  async #closeNow(): Promise<void> {
    this.#exit = await this.#process?.stop();
    const now = performance.now();
    for (const entry of this.#held.splice(0)) this.#settle(entry, { ok: false, error: 'closed', start: entry.start, end: now });
    for (const list of this.#outstanding.values()) {
      for (const entry of list) this.#settle(entry, { ok: false, error: 'closed', start: entry.start, end: now });
    }
  }

  /** The client's own account so far (complete once closed). */
  external(): ClientReport {
    return {
      command: this.#options.command,
      exit_code: this.#exit?.exit_code ?? null,
      signal: this.#exit?.signal ?? null,
      stopped_by: this.#exit?.stopped_by ?? 'itself',
      failure: this.#fatal ?? null,
      ...this.#counts,
      unanswered: [...this.#outstanding.values()].reduce((n, list) => n + list.length, 0),
      stderr: this.#process?.stderrTail() ?? '',
    };
  }

  #onLine(text: string): void {
    if (this.#fatal !== undefined) return;
    let line: ClientLine;
    try {
      line = parseClientLine(text);
    } catch (err) {
      return this.#fail(`wrote a line that is not the protocol (${(err as Error).message}): ${quote(text)}`);
    }
    const at = performance.now();
    if (line.type === 'event') return this.#onEvent(line, at);
    const list = this.#outstanding.get(line.id);
    const entry = list?.shift();
    if (!list || !entry) return this.#fail(`answered an id it was never sent (or answered it twice): ${quote(text)}`);
    if (list.length === 0) this.#outstanding.delete(line.id);
    this.#answered = true;
    if (!this.#up) this.#becomeUp();
    const result = line.ok ? { ok: true, ...(line.value === undefined ? {} : { value: line.value }) } : { ok: false, error: line.error };
    if (entry.resolve) {
      this.#counts.answers++;
      this.#settle(entry, { ...result, start: entry.start, end: at });
      return;
    }
    this.#counts.late_answers++;
    const lateMs = Math.max(0, at - entry.start - entry.budget);
    this.#client?.({ at, event: 'late_answer', id: line.id, ...result, lateMs });
  }

  #onEvent(line: Extract<ClientLine, { type: 'event' }>, at: number): void {
    const detail = line.detail === undefined ? {} : { detail: line.detail };
    if (line.event === 'disconnected') {
      this.#counts.disconnects++;
      this.#transport?.({ at, kind: 'disconnected', ...detail });
    } else if (line.event === 'reconnected') {
      this.#counts.reconnects++;
      this.#client?.({ at, event: 'reconnected', ...detail });
    } else if (!this.#up) {
      // Ready: the one operation written before waited for start-up, which is not its time.
      for (const list of this.#outstanding.values()) {
        for (const entry of list) {
          if (!entry.resolve) continue;
          entry.start = at;
          this.#arm(entry, entry.budget + ANSWER_GRACE_MS);
        }
      }
      this.#becomeUp();
    }
  }

  /** (Re)starts the timer after which `entry` counts as a timeout. */
  #arm(entry: Outstanding, ms: number): void {
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      this.#settle(entry, { ok: false, error: 'timeout', start: entry.start, end: performance.now() });
      // Only a client never heard from is broken (e.g. stdout not flushed); one that said it is
      // ready, or answered before, is slow: its operation timed out.
      if (!this.#answered && !this.#up) {
        this.#fail(`never answered: no answer to its first operation within ${Math.round(performance.now() - entry.start)} ms (does it flush stdout after each line?): ${quote(entry.line)}`);
      }
    }, ms);
  }

  #settle(entry: Outstanding, attempt: Attempt): void {
    clearTimeout(entry.timer);
    const resolve = entry.resolve;
    entry.resolve = undefined;
    resolve?.(attempt);
  }

  /** The client cannot go on: every operation still waiting fails now, and the runner stops the scenario. */
  #fail(reason: string): void {
    if (this.#fatal !== undefined) return;
    this.#fatal = `client ${this.#options.target.path}: ${reason}`;
    const now = performance.now();
    for (const entry of this.#held.splice(0)) this.#settle(entry, { ok: false, error: 'client failed', start: entry.start, end: now });
    for (const list of this.#outstanding.values()) {
      for (const entry of list) this.#settle(entry, { ok: false, error: 'client failed', start: entry.start, end: now });
    }
  }
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
