/**
 * Pump: how a stage that holds a backlog emits it without ever looping over all of it in one go.
 * It calls `step` (emit one item) at most BATCH times per run and only while the scheduler has
 * room; then it yields and continues in a later slice. `step` may also ask to wait (a delay in
 * ms: a timer resumes the pump) or report that nothing is left.
 */
import type { Scheduler } from './scheduler.js';
import type { Clock } from './clock.js';

/** Items one run of a pump may emit before it yields, whatever the slice has left. */
export const BATCH = 32;

/** What one step did: emitted an item (`true`), found nothing to emit (`false`), or must wait this many ms. */
export type StepResult = boolean | number;

/** The timers and the scheduler a pump runs on. */
export interface PumpHost {
  readonly clock: Clock;
  readonly scheduler: Scheduler;
}

/** Drives `step` in bounded runs (see the file comment). */
export class Pump {
  #host: PumpHost;
  #step: () => StepResult;
  #timer: unknown;
  #deferred = false;
  #stopped = false;

  constructor(host: PumpHost, step: () => StepResult) {
    this.#host = host;
    this.#step = step;
  }

  /** Whether a run is already due (waiting for a timer or a later slice). */
  get pending(): boolean {
    return this.#timer !== undefined || this.#deferred;
  }

  /** Runs now unless a run is already due (new items queue behind the ones it will emit). */
  kick(): void {
    if (!this.pending && !this.#stopped) this.#run();
  }

  /**
   * Runs in the next slice even if a timer is pending: the stage's schedule changed (e.g. a new
   * rate). Not now: the change comes from a control request, which must not wait for the work it
   * causes.
   */
  reschedule(): void {
    if (this.#stopped) return;
    if (this.#timer !== undefined) this.#host.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#deferred) return;
    this.#deferred = true;
    this.#host.scheduler.later(this.#resume);
  }

  /** Cancels a pending run and any later one; the pump never steps again. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#host.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #run(): void {
    const { scheduler, clock } = this.#host;
    for (let n = 0; ; n++) {
      if (n === BATCH || !scheduler.hasRoom()) {
        this.#deferred = true;
        scheduler.later(this.#resume);
        return;
      }
      const result = this.#step();
      if (this.#stopped) return;
      if (result === true) continue;
      if (result !== false) this.#timer = clock.setTimeout(this.#wake, result);
      return;
    }
  }

  #wake = (): void => {
    this.#timer = undefined;
    if (!this.#stopped) this.#run();
  };

  #resume = (): void => {
    this.#deferred = false;
    if (!this.#stopped) this.#run();
  };
}
