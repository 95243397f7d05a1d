/**
 * The stdio fault relay (`faultline stdio --name NAME -- CMD ARGS…`): put where an MCP client
 * starts its server, it starts CMD and relays the client's stdin to it and its stdout back, byte
 * for byte, through a StdioSession whose toxics are those of proxy NAME on a faultline server. It
 * never writes to stdout itself; its notes go to stderr, one line each. Without the server it
 * relays faithfully (saying so once) and keeps trying to reach it. A proxy that is disabled, or
 * has a toxic that cuts new connections (`drop`, `kill`), refuses: the relay exits at once with
 * code 1 without starting CMD, as a server that cannot be reached. Otherwise it exits when the
 * child has exited and its output is relayed, with the child's code (128 + signal number when
 * killed); after a cut it ends the child (SIGTERM, then SIGKILL) and exits with code 1.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { constants } from 'node:os';
import { basename } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { EventJson, ProxyJson } from '../../protocol/wire.js';
import { realClock } from '../clock.js';
import { randomSeed } from '../random.js';
import { DEFAULT_LINK_BOUND } from '../registry.js';
import { SliceScheduler } from '../scheduler.js';
import { toxicDefinition } from '../toxics/catalog.js';
import { follow, type FollowTarget } from './follow.js';
import { StdioSession } from './session.js';

/** How long the relay waits for the server before it starts CMD without faults. */
const REGISTER_TIMEOUT_MS = 3000;
/** Between two attempts to reach the server again. */
const RETRY_MS = 1000;
/** After a cut, how long the child has to exit on SIGTERM before SIGKILL. */
const KILL_GRACE_MS = 2000;

/** What the relay is started with. */
export interface RelayOptions {
  readonly name: string;
  readonly url: string;
  readonly token?: string | undefined;
  readonly command: string;
  readonly args: readonly string[];
  /** Seeds the relay's fault draws (toxicity, flaky). */
  readonly seed?: string | undefined;
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Aborted when the relay itself is told to stop (SIGTERM, SIGINT): the server is ended as after a cut. */
  readonly stop?: AbortSignal;
}

/** Runs the relay; resolves with the exit code it should end with. */
export async function runRelay(options: RelayOptions): Promise<number> {
  const note = (line: string): void => void options.stderr.write(`faultline stdio ${options.name}: ${line}\n`);
  const target: FollowTarget = { url: options.url, token: options.token, name: options.name, upstream: `stdio:${basename(options.command)}` };
  const stop = new AbortController();
  const first = await firstSnapshot(target, stop.signal);
  if (typeof first === 'string') note(`cannot reach the control API at ${options.url} (${first}); relaying without faults`);
  else {
    const refusal = refusedBy(first.proxy);
    if (refusal) {
      stop.abort();
      note(`refused: ${refusal}`);
      return 1;
    }
  }
  if (options.stop?.aborted) {
    stop.abort();
    return 1;
  }
  const child = spawn(options.command, [...options.args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = childExit(child);
  child.once('error', (err) => note(`cannot start ${options.command}: ${err.message}`));
  const scheduler = new SliceScheduler();
  let killTimer: NodeJS.Timeout | undefined;
  const session = new StdioSession({
    name: options.name,
    seed: options.seed ?? randomSeed(),
    clock: realClock,
    scheduler,
    bound: DEFAULT_LINK_BOUND,
    input: options.stdin,
    output: options.stdout,
    child,
    onCut: (reason) => {
      note(`cut (${reason}): both pipes closed`);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
      }
    },
    onTrip: (toxic, detail) => note(`${toxic}: ${detail}`),
    onChange: (toxic, change) => note(`toxic ${toxic} ${change}`),
    onSkipped: (toxic, reason) => note(`toxic ${toxic.name} left out: ${reason}`),
  });
  options.stop?.addEventListener('abort', () => session.cut('close', 'relay stopped'), { once: true });
  // The client went away (EPIPE on our stdout): nothing more to relay.
  options.stdout.on('error', () => session.cut('reset', 'client gone'));
  child.stdin.on('error', () => undefined);
  const onEvent = (event: EventJson): void => applyEvent(session, event);
  if (typeof first !== 'string') {
    session.setToxics(first.proxy.toxics);
    for (const event of first.pending.splice(0)) onEvent(event);
    first.live = onEvent;
  }
  void keepFollowing(target, session, onEvent, typeof first === 'string' ? undefined : first.done, stop.signal);
  const code = await exited;
  stop.abort();
  clearTimeout(killTimer);
  await flushed(options.stdout);
  return session.cutReason !== undefined ? 1 : code;
}

/** The first snapshot, the events that came after it, and the stream still being read; or why the server could not be reached. */
interface First {
  proxy: ProxyJson;
  pending: EventJson[];
  live: ((event: EventJson) => void) | undefined;
  done: Promise<void>;
}

async function firstSnapshot(target: FollowTarget, signal: AbortSignal): Promise<First | string> {
  return new Promise((resolve) => {
    let settled = false;
    // A first attempt that timed out is abandoned (keepFollowing tries again), so one stream at most is read.
    const attempt = new AbortController();
    signal.addEventListener('abort', () => attempt.abort(), { once: true });
    const timer = setTimeout(() => {
      attempt.abort();
      settle(`no answer within ${REGISTER_TIMEOUT_MS / 1000} s`);
    }, REGISTER_TIMEOUT_MS);
    const settle = (value: First | string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(value);
    };
    let first: First | undefined;
    const done = follow(
      target,
      {
        snapshot: (proxy) => {
          first = { proxy, pending: [], live: undefined, done };
          settle(first);
        },
        event: (event) => (first?.live ? first.live(event) : first?.pending.push(event)),
      },
      attempt.signal,
    );
    done.catch((err: Error) => settle(err.message.replace(/^cannot reach the control API at \S+ \((.*)\)$/, '$1')));
  });
}

/** Why a new connection would be refused now: a disabled proxy, or a toxic that cuts on accept. */
function refusedBy(proxy: ProxyJson): string | undefined {
  if (!proxy.enabled) return `proxy ${proxy.name} is disabled`;
  const cutter = proxy.toxics.find((t) => t.toxicity >= 1 && toxicDefinition(t.type)?.cutOnAccept);
  return cutter ? `toxic ${cutter.name} (${cutter.type}) cuts new connections` : undefined;
}

/** Applies one event of the proxy to the session. */
function applyEvent(session: StdioSession, event: EventJson): void {
  switch (event.type) {
    case 'toxic.added':
      return session.addToxic(event.toxic);
    case 'toxic.updated':
      return session.updateToxic(event.toxic);
    case 'toxic.removed':
      return session.removeToxic(event.toxic);
    case 'proxy.disabled':
      return session.cut('close', 'proxy disabled');
    case 'proxy.deleted':
      return session.setToxics([]);
  }
}

/** Follows the server for as long as the relay runs: after `current` ends, again every RETRY_MS. */
async function keepFollowing(target: FollowTarget, session: StdioSession, onEvent: (e: EventJson) => void, current: Promise<void> | undefined, signal: AbortSignal): Promise<void> {
  await current?.catch(() => undefined);
  while (!signal.aborted) {
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS).unref());
    if (signal.aborted) return;
    await follow(target, { snapshot: (proxy) => (proxy.enabled ? session.setToxics(proxy.toxics) : session.cut('close', 'proxy disabled')), event: onEvent }, signal).catch(() => undefined);
  }
}

/** Resolves with the child's exit code (128 + the signal's number when a signal ended it) once its pipes closed; 127 when it could not start. */
function childExit(child: ChildProcessByStdio<Writable, Readable, null>): Promise<number> {
  return new Promise((resolve) => {
    child.once('error', () => resolve(127));
    child.once('close', (code, signal) => resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0)));
  });
}

/** Resolves once what was written to `stream` has been handed to the system (or the stream is gone). */
function flushed(stream: Writable): Promise<void> {
  if (stream.destroyed || stream.writableLength === 0) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('drain', () => resolve());
    stream.once('close', () => resolve());
    stream.once('error', () => resolve());
  });
}
