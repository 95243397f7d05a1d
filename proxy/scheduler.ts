/**
 * Scheduler: the data plane's work in bounded slices, so no stage can hold the event loop.
 *
 *   timers phase ─► poll phase (sockets, API requests) ─► check phase (setImmediate) ─► timers …
 *   └──── slice 1: stage work until SLICE_MS ────┘        └── slice 2: deferred work ──┘
 *
 * A slice opens at the first data-plane work of a turn and lasts SLICE_MS. A stage with more than
 * one item to emit asks `hasRoom()` before each one; once the slice is spent it hands the rest to
 * `later()`. Deferred tasks run first-in first-out from a setImmediate callback, in a fresh slice;
 * what does not fit goes to the next turn's callback, after the loop has polled I/O again. So every
 * turn carries at most about two slices of stage work, and an API request waits at most one turn.
 */

/** A unit of deferred work. */
export type Task = () => void;

/** How stages share the event loop (see the file comment). */
export interface Scheduler {
  /** Whether the current slice has time left; opens a slice if none is open. */
  hasRoom(): boolean;
  /** Runs `task` in a later slice, after the ones already waiting. */
  later(task: Task): void;
}

/** Stage work per slice, ms: long enough to amortise a turn, short enough that the API never waits long. */
export const SLICE_MS = 2;

/** The scheduler of an event loop: slices measured with `now`, deferred work run with `immediate`. */
export class SliceScheduler implements Scheduler {
  #now: () => number;
  #immediate: (fn: () => void) => unknown;
  #sliceMs: number;
  #open = false;
  #start = 0;
  #armed = false;
  #tasks: Array<Task | undefined> = [];
  #head = 0;

  constructor(now: () => number = () => performance.now(), immediate: (fn: () => void) => unknown = setImmediate, sliceMs = SLICE_MS) {
    this.#now = now;
    this.#immediate = immediate;
    this.#sliceMs = sliceMs;
  }

  /** Tasks waiting for a later slice. */
  get waiting(): number {
    return this.#tasks.length - this.#head;
  }

  hasRoom(): boolean {
    if (!this.#open) {
      this.#open = true;
      this.#start = this.#now();
      // Whoever opens a slice closes it in this turn's check phase.
      this.#arm();
      return true;
    }
    return this.#now() - this.#start < this.#sliceMs;
  }

  later(task: Task): void {
    this.#tasks.push(task);
    this.#arm();
  }

  #arm(): void {
    if (this.#armed) return;
    this.#armed = true;
    this.#immediate(this.#tick);
  }

  /** Runs waiting tasks in a fresh slice; what is left waits for the next turn. */
  #tick = (): void => {
    // Still armed while it runs: tasks deferred now must not queue a second callback.
    this.#open = true;
    this.#start = this.#now();
    // Tasks deferred while this runs go behind the ones already waiting, so each gets its turn.
    const end = this.#tasks.length;
    while (this.#head < end && this.#now() - this.#start < this.#sliceMs) {
      const task = this.#tasks[this.#head] as Task;
      this.#tasks[this.#head++] = undefined;
      task();
    }
    if (this.#head === this.#tasks.length) {
      this.#tasks = [];
      this.#head = 0;
      this.#open = false;
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
