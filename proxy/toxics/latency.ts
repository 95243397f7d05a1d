/**
 * latency: each chunk is released at the time it reached this toxic plus a delay drawn per chunk,
 * never before the chunk ahead of it (order is kept). The delay follows `distribution`:
 * - `uniform` (the default, Toxiproxy's): latency ± jitter, uniform in [latency − jitter, latency + jitter];
 * - `normal`: mean latency, standard deviation jitter (cut at 0);
 * - `pareto`: latency is the floor and jitter the mean extra delay, with a heavy tail
 *   (extra = 2·jitter·(U^(−1/3) − 1), Pareto shape 3; about 1 chunk in 1000 waits ≥ latency + 18·jitter).
 * Chunks held here count against the link's buffer bound, so a slow release pauses the reader
 * instead of growing memory.
 */
import { z } from 'zod';
import { millis } from './attributes.js';
import type { StepResult } from '../pump.js';
import { QueuedStage } from './queued-stage.js';
import { defineToxic, type Chunk, type StageContext } from './toxic.js';

/** The delay distributions; `distribution` is left out of the wire shape unless it was given. */
export const DISTRIBUTIONS = ['uniform', 'normal', 'pareto'] as const;

/** The attributes of `latency` (scenario steps take them from here too). */
export const latencyAttributes = z.object({
  latency: millis(),
  jitter: millis(),
  distribution: z.enum(DISTRIBUTIONS, { error: 'must be "uniform", "normal" or "pareto"' }).optional(),
});
type Attributes = z.infer<typeof latencyAttributes>;

/** Timers may fire up to a millisecond early (Node rounds to whole ms); release within that. */
const EARLY_MS = 1;

/** The jitter part of one delay, in ms, for `distribution` (see the file comment). */
export function extraDelay(distribution: (typeof DISTRIBUTIONS)[number], jitter: number, random: () => number): number {
  switch (distribution) {
    case 'uniform':
      return (random() * 2 - 1) * jitter;
    case 'normal': {
      // Box-Muller; 1 - random() keeps the logarithm away from 0.
      const radius = Math.sqrt(-2 * Math.log(1 - random()));
      return radius * Math.cos(2 * Math.PI * random()) * jitter;
    }
    case 'pareto':
      return 2 * jitter * (Math.pow(1 - random(), -1 / 3) - 1);
  }
}

class LatencyStage extends QueuedStage {
  #attrs: Attributes;
  #headDue: number | undefined;
  #lastDue = 0;

  constructor(attrs: Attributes, ctx: StageContext) {
    super(ctx);
    this.#attrs = attrs;
  }

  /** New attributes in place, as if the stage were made anew: queued chunks are due at their arrival plus the new delay, in order. */
  update(attrs: Attributes): void {
    this.#attrs = attrs;
    this.#headDue = undefined;
    this.#lastDue = 0;
    this.reschedule();
  }

  #delay(): number {
    const { latency, jitter, distribution } = this.#attrs;
    return jitter > 0 ? Math.max(0, latency + extraDelay(distribution ?? 'uniform', jitter, this.ctx.random)) : latency;
  }

  /** Releases the head chunk if it is due, else says how long to wait for it. */
  protected release(head: Chunk): StepResult {
    this.#headDue ??= Math.max(this.#lastDue, head.receivedAt + this.#delay());
    const now = this.ctx.clock.now();
    if (this.#headDue > now + EARLY_MS) return this.#headDue - now;
    this.#lastDue = this.#headDue;
    this.#headDue = undefined;
    this.ctx.push(this.queue.shift() as Chunk);
    return true;
  }
}

/** The `latency` toxic. */
export const latency = defineToxic({
  type: 'latency',
  summary: 'delays every chunk by latency ± jitter ms (one way)',
  attributes: latencyAttributes,
  create: (attrs, ctx) => new LatencyStage(attrs, ctx),
});
