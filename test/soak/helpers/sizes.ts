/**
 * Sizes of the soak tests. `FAULTLINE_SOAK=full` (what `npm run soak` sets) runs the full
 * sizes; anything else runs the short versions that `npm test` carries. The same code runs both.
 */

/** True when the full sizes run. */
export const FULL = process.env['FAULTLINE_SOAK'] === 'full';

/** The profile name, for test names and reports. */
export const PROFILE = FULL ? 'full' : 'short';

/** Sizes of the streaming soak (many connections through a latency + bandwidth chain). */
export const streaming = FULL
  ? { connections: 1000, seconds: 60, disableEveryMs: 5000 }
  : { connections: 100, seconds: 6, disableEveryMs: 2000 };

/** Sizes of the leak test (open/close cycles and partition flips). */
export const churn = FULL
  ? { cycles: 100_000, flips: 10_000, warmupCycles: 2000, warmupFlips: 200 }
  : { cycles: 5000, flips: 500, warmupCycles: 500, warmupFlips: 50 };

/** Sizes of the fast-producer test: producers per toxic and how long they write. */
export const fast = FULL ? { producers: 40, seconds: 8 } : { producers: 6, seconds: 3 };

/** Sizes of the idle-connections test: connections wanted and API requests measured per kind. */
export const idle = FULL ? { connections: 10_000, requests: 200 } : { connections: 1000, requests: 100 };
