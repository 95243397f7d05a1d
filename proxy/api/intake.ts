/**
 * Intake: the order and the share of the thread in which the registry's thread answers API
 * requests from the thread front (thread.ts). Requests are answered one after another, first in
 * first out, between two data-plane callbacks, as long as the API keeps within its share of the
 * thread: a token bucket that fills at SHARE ms per ms (up to BURST_MS) and pays each request's
 * time, from its start to its answer's head. A request that finds the bucket empty waits for it
 * to refill (a timer). So a request is answered within a callback of its arrival while the API is
 * light (a toxic change on a proxy of 15 connections costs well under a millisecond), and a client
 * that changes toxics as fast as the API answers cannot take the thread from the data plane: a
 * toxic change on 2,000 links costs several milliseconds, and without the share one turn answered
 * dozens back to back (data-plane event-loop delay p99 217–312 ms in the `streaming` benchmark;
 * 38–48 ms with it).
 *
 * A request that waits on I/O (a listen) is not waited for past the end of the poll phase (a
 * setImmediate callback): the next one starts then.
 */

/** The API's share of the thread while requests wait: ms of answering per ms. */
export const SHARE = 0.5;

/** Most the API may answer in one go after a quiet spell, ms. */
export const BURST_MS = 30;

/** The clock and callbacks of the intake (real ones by default). */
export interface IntakeClock {
  now(): number;
  immediate(fn: () => void): unknown;
  timeout(fn: () => void, ms: number): unknown;
}

const REAL: IntakeClock = {
  now: () => performance.now(),
  immediate: (fn) => setImmediate(fn),
  timeout: (fn, ms) => setTimeout(fn, ms),
};

/** Requests of type T, answered by `serve` (which calls `done` once the answer's head is out). */
export class Intake<T> {
  #serve: (item: T, done: () => void) => void;
  #clock: IntakeClock;
  #queue: T[] = [];
  #current: object | undefined;
  #tokens = BURST_MS;
  #filled: number;
  #starting = false;
  #releaseArmed = false;
  #refillArmed = false;

  constructor(serve: (item: T, done: () => void) => void, clock: IntakeClock = REAL) {
    this.#serve = serve;
    this.#clock = clock;
    this.#filled = clock.now();
  }

  /** Requests waiting for their turn. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Queues `item`; it starts at once if nothing is being answered and the share allows. */
  push(item: T): void {
    this.#queue.push(item);
    this.#next();
  }

  /** Removes the waiting request `match` finds (its client went away); whether there was one. */
  drop(match: (item: T) => boolean): boolean {
    const at = this.#queue.findIndex(match);
    if (at < 0) return false;
    this.#queue.splice(at, 1);
    return true;
  }

  #refill(): void {
    const now = this.#clock.now();
    this.#tokens = Math.min(BURST_MS, this.#tokens + (now - this.#filled) * SHARE);
    this.#filled = now;
  }

  #next(): void {
    if (this.#starting) return;
    this.#starting = true;
    while (this.#current === undefined && this.#queue.length > 0) {
      this.#refill();
      if (this.#tokens <= 0) {
        this.#waitForShare();
        break;
      }
      this.#start(this.#queue.shift() as T);
    }
    this.#starting = false;
    if (this.#current !== undefined) this.#armRelease();
  }

  #start(item: T): void {
    const token = {};
    this.#current = token;
    const start = this.#clock.now();
    let finished = false;
    this.#serve(item, () => {
      if (finished) return;
      finished = true;
      this.#refill();
      this.#tokens -= this.#clock.now() - start;
      if (this.#current === token) this.#current = undefined;
      this.#next();
    });
  }

  /** The bucket is empty: go on once it has refilled above zero. */
  #waitForShare(): void {
    if (this.#refillArmed) return;
    this.#refillArmed = true;
    this.#clock.timeout(
      () => {
        this.#refillArmed = false;
        this.#next();
      },
      Math.max(1, Math.ceil(-this.#tokens / SHARE)),
    );
  }

  /** At the end of the poll phase, stop waiting for a request still on I/O. */
  #armRelease(): void {
    if (this.#releaseArmed) return;
    this.#releaseArmed = true;
    this.#clock.immediate(() => {
      this.#releaseArmed = false;
      this.#current = undefined;
      this.#next();
    });
  }
}
