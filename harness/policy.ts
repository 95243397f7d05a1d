/**
 * Client policies: what a client does when an attempt fails. Retry with exponential backoff,
 * queue a failed write and replay it once the path works again, answer a failed read from the last
 * good answer. A policy wraps a Probe and writes every attempt on the Timeline, so the metrics see
 * what really happened, not what the policy hid.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Operation, Probe } from './probes/probe.js';
import type { Policy } from './scenario.js';
import type { Outcome, RequestEntry, Timeline } from './timeline.js';

/** What a request asks for; the policy adds the timeout. */
export interface Request {
  /** Unique per request (what the timeline and, for writes, the ledger know it by). */
  readonly id: string;
  readonly kind: 'write' | 'read';
  readonly payload: string;
  /** For a read: the id of the write to read back. */
  readonly target?: string;
}

/** The operation a probe sends for `request`: a read asks for its target's id. */
function operationOf(request: Request, timeoutMs: number): Operation {
  const id = request.kind === 'read' && request.target !== undefined ? request.target : request.id;
  return { id, kind: request.kind, payload: request.payload, timeoutMs };
}

/** Counters a policy keeps for the report. */
export interface PolicyCounters {
  /** Attempts beyond the first of each request (and replay attempts). */
  retries: number;
  /** Writes that failed every attempt and went to the queue. */
  queued: number;
  /** Reads answered from the cache. */
  cached: number;
}

/** A probe with a client policy, on one path of a scenario. */
export class PolicyClient {
  readonly counters: PolicyCounters = { retries: 0, queued: 0, cached: 0 };
  #probe: Probe;
  #policy: Policy;
  #timeline: Timeline;
  #path: string;
  #queue: Request[] = [];
  #cache = new Map<string, string>();
  #lastWritten: string | undefined;
  #client: number | undefined;

  /** `client`: the index of this client on a multi-client path (recorded on its requests). */
  constructor(probe: Probe, policy: Policy, timeline: Timeline, path: string, client?: number) {
    this.#probe = probe;
    this.#policy = policy;
    this.#timeline = timeline;
    this.#path = path;
    this.#client = client;
  }

  /** The id a read should read: the last write acknowledged on this path. */
  get readTarget(): string | undefined {
    return this.#lastWritten;
  }

  /** Sends a request under the policy and records it; `faulted` and `epoch` describe the path's state. */
  async request(request: Request, faulted: boolean, epoch: number): Promise<RequestEntry> {
    const { attempts: max, backoff_ms: backoff, timeout_ms: timeoutMs } = this.#policy;
    const op = operationOf(request, timeoutMs);
    const start = this.#timeline.now();
    const attempts: RequestEntry['attempts'][number][] = [];
    let value: string | undefined;
    for (let i = 0; i < max; i++) {
      if (i > 0) {
        this.counters.retries++;
        await sleep(backoff * 2 ** (i - 1));
      }
      const attempt = await this.#probe.send(op);
      attempts.push({
        ok: attempt.ok,
        ...(attempt.error === undefined ? {} : { error: attempt.error }),
        start: this.#timeline.fromMono(attempt.start),
        end: this.#timeline.fromMono(attempt.end),
      });
      if (attempt.ok) {
        value = attempt.value;
        break;
      }
    }
    const outcome = this.#outcome(request, attempts[attempts.length - 1]?.ok === true, value);
    const read = request.kind === 'read' ? (outcome === 'cached' ? this.#cache.get(request.target as string) : value) : undefined;
    const entry: RequestEntry = {
      type: 'request',
      id: request.id,
      path: this.#path,
      ...(this.#client === undefined ? {} : { client: this.#client }),
      kind: request.kind,
      faulted,
      epoch,
      // When its first attempt began: an external client that was still starting up held it back.
      start: attempts[0]?.start ?? start,
      end: this.#timeline.now(),
      attempts,
      outcome,
      ...(read === undefined ? {} : { value: read }),
    };
    this.#timeline.add(entry);
    if (outcome === 'ok' && this.#queue.length > 0) await this.replay();
    return entry;
  }

  /** Replays queued writes, oldest first, one attempt each; stops at the first failure. Returns what is left. */
  async replay(): Promise<string[]> {
    while (this.#queue.length > 0) {
      const request = this.#queue[0] as Request;
      const attempt = await this.#probe.send(operationOf(request, this.#policy.timeout_ms));
      this.counters.retries++;
      this.#timeline.add({
        type: 'replay',
        id: request.id,
        path: this.#path,
        start: this.#timeline.fromMono(attempt.start),
        end: this.#timeline.fromMono(attempt.end),
        ok: attempt.ok,
        ...(attempt.error === undefined ? {} : { error: attempt.error }),
      });
      if (!attempt.ok) break;
      this.#queue.shift();
      this.#lastWritten = request.id;
    }
    return this.#queue.map((r) => r.id);
  }

  #outcome(request: Request, ok: boolean, value: string | undefined): Outcome {
    if (ok) {
      if (request.kind === 'write') this.#lastWritten = request.id;
      else if (value !== undefined && request.target !== undefined) this.#cache.set(request.target, value);
      return 'ok';
    }
    if (request.kind === 'write' && this.#policy.queue) {
      this.#queue.push(request);
      this.counters.queued++;
      return 'queued';
    }
    if (request.kind === 'read' && this.#policy.cache && request.target !== undefined && this.#cache.has(request.target)) {
      this.counters.cached++;
      return 'cached';
    }
    return 'failed';
  }
}
