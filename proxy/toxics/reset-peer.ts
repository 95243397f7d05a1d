/**
 * reset_peer: on the first chunk (or the end of the stream) in its direction, discards it, waits
 * `timeout` ms and resets the connection: both peers get a TCP RST (ECONNRESET).
 */
import { z } from 'zod';
import { millis } from './attributes.js';
import { defineToxic, NOTHING_HELD, type Held, type Stage, type StageContext } from './toxic.js';

const attributes = z.object({ timeout: millis() });
type Attributes = z.infer<typeof attributes>;

class ResetPeerStage implements Stage<Attributes> {
  #ctx: StageContext;
  #timeout: number;
  #timer: unknown;

  constructor(attrs: Attributes, ctx: StageContext) {
    this.#timeout = attrs.timeout;
    this.#ctx = ctx;
  }

  write(): void {
    this.#trip();
  }

  end(): void {
    this.#trip();
  }

  detach(): Held {
    if (this.#timer !== undefined) this.#ctx.clock.clearTimeout(this.#timer);
    return NOTHING_HELD;
  }

  #trip(): void {
    if (this.#timer !== undefined) return;
    this.#timer = this.#ctx.clock.setTimeout(() => {
      this.#ctx.tripped('reset_peer');
      this.#ctx.cut('reset', 'reset_peer');
    }, this.#timeout);
  }
}

/** The `reset_peer` toxic. */
export const resetPeer = defineToxic({
  type: 'reset_peer',
  summary: 'on the first data, waits timeout ms then resets the connection (TCP RST)',
  attributes,
  create: (attrs, ctx) => new ResetPeerStage(attrs, ctx),
});
