/** Fixed-rate loops for soak tests: each runs its step every `everyMs` until stopped, never two at once. */
import { setTimeout as sleep } from 'node:timers/promises';

/** A running loop: stop() resolves with the number of steps run, once the current one has finished. */
export interface Loop {
  stop(): Promise<number>;
}

/**
 * Runs `step(i)` (i = 0, 1, 2, ...) in the slots `start + k × everyMs`; a step that overruns its
 * slot moves the next one to the next free slot (no catch-up burst). The first error stops the
 * loop and is rethrown by stop().
 */
export function every(everyMs: number, step: (i: number) => Promise<void>, offsetMs = 0): Loop {
  let stopped = false;
  let ran = 0;
  const abort = new AbortController();
  const start = performance.now() + offsetMs;
  const run = (async () => {
    let slot = 0;
    while (!stopped) {
      const wait = start + slot * everyMs - performance.now();
      if (wait > 0) await sleep(wait, undefined, { signal: abort.signal }).catch(() => undefined);
      if (stopped) break;
      await step(ran++);
      slot = Math.max(slot + 1, Math.ceil((performance.now() - start) / everyMs));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      abort.abort();
      await run;
      return ran;
    },
  };
}
