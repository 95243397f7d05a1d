/**
 * The timeline of one scenario run: append-only entries on one monotonic clock (ms since the
 * scenario started), with a wall-clock anchor so proxy events stamped in wall time can be placed
 * on it. Metrics are pure functions of a Timeline; reporters only render it.
 */
import type { Attempt } from './probes/probe.js';

/** How a request ended, after the client policy had its say. */
export type Outcome = 'ok' | 'failed' | 'queued' | 'cached';

/** One request as the client saw it: every attempt, and what the policy made of them. */
export interface RequestEntry {
  readonly type: 'request';
  readonly id: string;
  readonly path: string;
  readonly kind: 'write' | 'read';
  /** Whether a fault was active on this request's path when it was sent. */
  readonly faulted: boolean;
  /** Index of the heal that preceded it on its path (0 = before any heal). */
  readonly epoch: number;
  readonly start: number;
  readonly end: number;
  readonly attempts: ReadonlyArray<Pick<Attempt, 'ok' | 'error' | 'start' | 'end'>>;
  readonly outcome: Outcome;
}

/** A queued write replayed later; `ok` says whether the replay was acknowledged. */
export interface ReplayEntry {
  readonly type: 'replay';
  readonly id: string;
  readonly path: string;
  readonly start: number;
  readonly end: number;
  readonly ok: boolean;
  readonly error?: string;
}

/** A fault put on a path (or taken off: `heal`), with when the proxy applied it. */
export interface FaultEntry {
  readonly type: 'fault' | 'heal';
  readonly path: string;
  /** partition:drop, partition:blackhole, partition:refuse, flaky, latency, toxic:<type>, heal. */
  readonly fault: string;
  /** When the harness sent the request that applies it. */
  readonly requested: number;
  /** When the proxy applied it: its own event when it publishes events, else the API's answer. */
  readonly applied: number;
  /** Where `applied` comes from. */
  readonly source: 'proxy-event' | 'api-response';
  readonly detail?: Record<string, unknown>;
}

/** A check that server → client notifications reach the client (MCP), after a heal. */
export interface NotificationEntry {
  readonly type: 'notification';
  readonly path: string;
  readonly at: number;
  readonly ok: boolean;
  /** The client library had lost the stream and the probe had to re-open it (or open a new session). */
  readonly repaired: boolean;
}

/** Anything on a timeline. */
export type Entry = RequestEntry | ReplayEntry | FaultEntry | NotificationEntry;

/** An append-only timeline with its clock. */
export class Timeline {
  /** performance.now() at the start; entries are relative to it. */
  readonly origin: number;
  /** Date.now() at the same instant: maps wall-clock times onto the timeline. */
  readonly wallOrigin: number;
  readonly entries: Entry[] = [];

  constructor(origin = performance.now(), wallOrigin = Date.now()) {
    this.origin = origin;
    this.wallOrigin = wallOrigin;
  }

  /** Now, in ms since the start. */
  now(): number {
    return performance.now() - this.origin;
  }

  /** A wall-clock time (ms since the epoch, or ISO text) in ms since the start. */
  fromWall(wall: number | string): number {
    const ms = typeof wall === 'string' ? Date.parse(wall) : wall;
    return ms - this.wallOrigin;
  }

  /** A performance.now() reading in ms since the start. */
  fromMono(mono: number): number {
    return mono - this.origin;
  }

  add(entry: Entry): void {
    this.entries.push(entry);
  }

  requests(path?: string): RequestEntry[] {
    return this.entries.filter((e): e is RequestEntry => e.type === 'request' && (path === undefined || e.path === path));
  }

  faults(path?: string): FaultEntry[] {
    return this.entries.filter(
      (e): e is FaultEntry => (e.type === 'fault' || e.type === 'heal') && (path === undefined || e.path === path),
    );
  }

  replays(): ReplayEntry[] {
    return this.entries.filter((e): e is ReplayEntry => e.type === 'replay');
  }

  notifications(): NotificationEntry[] {
    return this.entries.filter((e): e is NotificationEntry => e.type === 'notification');
  }
}
