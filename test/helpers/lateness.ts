/**
 * Timing bounds that hold on a loaded machine. Beside each measurement, an interval timer every
 * 2 ms records how late this process's event loop ran (its stalls); an upper bound then allows
 * that much on top of a small fixed slack. A stall (another process on the CPU, a GC pause) delays the measured
 * thing no more than it delays the timer, so the bound holds however loaded the machine is, while
 * a slowdown of the code's own making (a delay applied twice, a held byte released late) still
 * shows on a quiet machine, and on a loaded one as soon as it exceeds what the machine took.
 */
import type { Test } from 'tap';
import type { Teardown } from './net.js';

/** What a bound allows beyond the measured stalls: timer rounding, jitter, the data plane's own slices. */
const SLACK_MS = 25;

/** A tick later than this is a stall (counted in full); anything less is jitter, which SLACK_MS covers. */
const STALL_MS = 3;

/** How late the event loop ran since the watch started. */
export interface Lateness {
  /** The stalls seen, ms: the sum of how late each tick that was more than STALL_MS late fired. */
  readonly total: number;
  /** The latest single tick, ms. */
  readonly max: number;
  /** Stops watching (the figures stay readable). */
  stop(): void;
}

/** Starts watching this process's event loop (until `stop()` or the test's teardown). */
export function watchLateness(t: Teardown): Lateness {
  const every = 2;
  let last = performance.now();
  let total = 0;
  let max = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    const late = now - last - every;
    if (late > STALL_MS) total += late;
    if (late > max) max = late;
    last = now;
  }, every);
  t.teardown(() => clearInterval(timer));
  return {
    get total() {
      return total;
    },
    get max() {
      return max;
    },
    stop: () => clearInterval(timer),
  };
}

/**
 * Asserts `min ≤ value ≤ max + SLACK_MS + lateness seen by `watch``, in ms. `min` is never
 * relaxed: a loaded machine makes things later, never earlier.
 */
export function assertTiming(t: Test, value: number, min: number, max: number, watch: Lateness, what: string): void {
  const allowed = max + SLACK_MS + watch.total;
  t.ok(
    value >= min && value <= allowed,
    `${what}: ${value.toFixed(1)} ms (${min.toFixed(0)}..${max}, + ${SLACK_MS} slack + ${watch.total.toFixed(0)} of stalls measured)`,
  );
}
