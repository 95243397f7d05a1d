/**
 * timeout: every byte in this direction is discarded. With `timeout` > 0 the connection is closed
 * once `timeout` ms pass with no data arriving (each chunk restarts the clock); with 0 it stays
 * open, silent, until the toxic is removed, and removing it closes the connection (as Toxiproxy).
 */
import { z } from 'zod';
import { millis } from './attributes.js';
import { defineToxic, NOTHING_HELD, type Held, type Stage, type StageContext } from './toxic.js';

const attributes = z.object({ timeout: millis() });
type Attributes = z.infer<typeof attributes>;

class TimeoutStage implements Stage<Attributes> {
  #ctx: StageContext;
  #timeout: number;
  #timer: unknown;

  constructor(attrs: Attributes, ctx: StageContext) {
    this.#timeout = attrs.timeout;
    this.#ctx = ctx;
    this.#arm();
  }

  write(): void {
    this.#arm();
  }

  end(): void {
    // The end of the stream is swallowed with the data: the peer sees silence until the timeout.
  }

  detach(): Held {
    if (this.#timer !== undefined) this.#ctx.clock.clearTimeout(this.#timer);
    return NOTHING_HELD;
  }

  #arm(): void {
    if (this.#timeout === 0) return;
    if (this.#timer !== undefined) this.#ctx.clock.clearTimeout(this.#timer);
    this.#timer = this.#ctx.clock.setTimeout(() => this.#ctx.cut('close', 'timeout'), this.#timeout);
  }
}

/** The `timeout` toxic. */
export const timeout = defineToxic({
  type: 'timeout',
  summary: 'discards data; closes the connection after timeout ms without data (0 = never)',
  attributes,
  closesOnRemove: true,
  create: (attrs, ctx) => new TimeoutStage(attrs, ctx),
});
