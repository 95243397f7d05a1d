/**
 * Scheduler: the data plane's work in bounded slices, so no stage can hold the event loop.
 *
 *   timers ─► poll (sockets, API requests) ─► check (setImmediate) ─► timers ─► poll ─► …
 *   └── inline work: a slice of SLICE_MS, then ──┘  └ deferred work: ┘
 *       none for REST_MS (everything defers)          one slice per turn
 *
 * A stage with more than one item to emit asks `hasRoom()` before each one. Work runs inline while
 * the current slice lasts (SLICE_MS from its start); once it is spent, everything defers through
 * `later()` until REST_MS have passed, and a new inline slice may start only after that. Deferred
 * tasks run first-in first-out from a setImmediate callback, in a slice of their own; what does not
 * fit goes to the next turn's callback, after the loop has polled I/O again; while tasks wait, new
 * work queues behind them. So the data plane's own work is bounded per turn, an API request waits
 * about a turn, and a lightly loaded data plane pays one clock read per ask, no timer and no
 * callback.
 */

/** Checks run at every data-plane step (see onDataPlaneStep). */
const stepChecks: Array<() => void> = [];

/** Runs the step checks: called by `hasRoom()` and by the socket callbacks that do not ask it. */
export function dataPlaneStep(): void {
  for (let i = 0; i < stepChecks.length; i++) (stepChecks[i] as () => void)();
}

/**
 * Runs `check` at every step of the data plane (each `hasRoom()` ask of every scheduler: each
 * chunk a socket delivers, each item a stage emits; and each connect, end, drain, error and close
 * of a proxied socket). It must be cheap and must not touch the data
 * plane itself: it may only queue a microtask, which runs once the current callback returns. This
 * is how control requests waiting in another thread (api/thread.ts) get in between two socket
 * callbacks rather than after a whole turn of them. Returns the function that removes it.
 */
export function onDataPlaneStep(check: () => void): () => void {
  stepChecks.push(check);
  return () => {
    const at = stepChecks.indexOf(check);
    if (at >= 0) stepChecks.splice(at, 1);
  };
}

/** A unit of deferred work. */
export type Task = () => void;

/** How stages share the event loop (see the file comment). */
export interface Scheduler {
  /** Whether work may run now (inline) rather than in a later slice. */
  hasRoom(): boolean;
  /** Runs `task` in a later slice, after the ones already waiting. */
  later(task: Task): void;
}

/** Stage work per slice, ms: long enough to amortise a turn, short enough that the API never waits long. */
const SLICE_MS = 2;

/** After an inline slice is spent, how long everything defers before another may start, ms. */
const REST_MS = 8;

/** The scheduler of an event loop: slices measured with `now`, deferred work run with `immediate`. */
export class SliceScheduler implements Scheduler {
  #now: () => number;
  #immediate: (fn: () => void) => unknown;
  #sliceMs: number;
  #restMs: number;
  #start = -Infinity;
  #armed = false;
  #ticking = false;
  #tasks: Array<Task | undefined> = [];
  #head = 0;

  constructor(
    now: () => number = () => performance.now(),
    immediate: (fn: () => void) => unknown = setImmediate,
    sliceMs = SLICE_MS,
    restMs = REST_MS,
  ) {
    this.#now = now;
    this.#immediate = immediate;
    this.#sliceMs = sliceMs;
    this.#restMs = restMs;
  }

  /** Tasks waiting for a later slice. */
  get waiting(): number {
    return this.#tasks.length - this.#head;
  }

  hasRoom(): boolean {
    dataPlaneStep();
    // Waiting tasks go first: new work outside their slice queues behind them.
    if (!this.#ticking && this.#armed) return false;
    const now = this.#now();
    const spent = now - this.#start;
    if (spent < this.#sliceMs) return true;
    if (this.#ticking || spent < this.#sliceMs + this.#restMs) return false;
    this.#start = now;
    return true;
  }

  later(task: Task): void {
    this.#tasks.push(task);
    if (this.#armed) return;
    this.#armed = true;
    this.#immediate(this.#tick);
  }

  /** Runs waiting tasks in a slice of their own; what is left waits for the next turn. */
  #tick = (): void => {
    this.#ticking = true;
    this.#start = this.#now();
    // Tasks deferred while this runs go behind the ones already waiting, so each gets its turn.
    const end = this.#tasks.length;
    while (this.#head < end && this.#now() - this.#start < this.#sliceMs) {
      const task = this.#tasks[this.#head] as Task;
      this.#tasks[this.#head++] = undefined;
      task();
    }
    this.#ticking = false;
    if (this.#head === this.#tasks.length) {
      this.#tasks = [];
      this.#head = 0;
      this.#armed = false;
      return;
    }
    if (this.#head > 1024) {
      this.#tasks = this.#tasks.slice(this.#head);
      this.#head = 0;
    }
    this.#immediate(this.#tick);
  };
}

/** The scheduler of this process's event loop, shared by every proxy in it. */
export const realScheduler: Scheduler = new SliceScheduler();
