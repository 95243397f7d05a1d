/**
 * The clock of the data plane: monotonic time in ms and timers. Every timer of the core goes
 * through it, so toxics and connections are tested on a fake clock (test/helpers/fake-clock.ts).
 */

/** Monotonic time in ms and timers. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
}

/**
 * The real clock: performance.now() and Node's timers, unref'd (a data-plane timer never keeps the
 * process alive on its own: the sockets it serves do).
 */
export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout),
};
