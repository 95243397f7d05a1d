/**
 * The timeline of one scenario run: append-only entries on one monotonic clock (ms since the
 * scenario started), with a wall-clock anchor so proxy events stamped in wall time can be placed
 * on it. Metrics are pure functions of a Timeline; reporters only render it.
 */
import type { z } from 'zod';
import type { entrySchema } from './result-schema.js';

/** Anything on a timeline (its shape and field meanings: result-schema.ts). */
export type Entry = z.infer<typeof entrySchema>;

/** One request as the client saw it: every attempt, and what the policy made of them. */
export type RequestEntry = Extract<Entry, { type: 'request' }>;

/** How a request ended, after the client policy had its say. */
export type Outcome = RequestEntry['outcome'];

/** A queued write replayed later; `ok` says whether the replay was acknowledged. */
export type ReplayEntry = Extract<Entry, { type: 'replay' }>;

/** A fault put on a path (or taken off: `heal`), with when the harness asked and when the proxy applied it. */
export type FaultEntry = Extract<Entry, { type: 'fault' | 'heal' }>;

/** A check that server → client notifications reach the client (MCP), after a heal. */
export type NotificationEntry = Extract<Entry, { type: 'notification' }>;

/** Something the probe's own transport saw on a path (a reset, the peer's FIN, a refused connect, a stream end). */
export type TransportEntry = Extract<Entry, { type: 'transport' }>;

/** Something an MCP probe saw of its streams (a message, a resumption, a re-issue, a stream that broke). */
export type McpEntry = Extract<Entry, { type: 'mcp' }>;

/** A connection the proxy opened or closed (from its /events), on a multi-client path. */
export type ConnectionEntry = Extract<Entry, { type: 'connection' }>;

/** A long MCP call of a `call` step, as the client saw it. */
export type CallEntry = Extract<Entry, { type: 'call' }>;

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

  mcp(path?: string): McpEntry[] {
    return this.entries.filter((e): e is McpEntry => e.type === 'mcp' && (path === undefined || e.path === path));
  }

  calls(): CallEntry[] {
    return this.entries.filter((e): e is CallEntry => e.type === 'call');
  }

  transports(path?: string): TransportEntry[] {
    return this.entries.filter((e): e is TransportEntry => e.type === 'transport' && (path === undefined || e.path === path));
  }
}
