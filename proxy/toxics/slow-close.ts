/** slow_close: data passes unchanged; the end of the stream is passed on `delay` ms late. */
import { z } from 'zod';
import { millis } from './attributes.js';
import { defineToxic, type Chunk, type Held, type Stage, type StageContext } from './toxic.js';

const attributes = z.object({ delay: millis() });
type Attributes = z.infer<typeof attributes>;

class SlowCloseStage implements Stage<Attributes> {
  #ctx: StageContext;
  #delay: number;
  #timer: unknown;
  #ended = false;

  constructor(attrs: Attributes, ctx: StageContext) {
    this.#delay = attrs.delay;
    this.#ctx = ctx;
  }

  write(chunk: Chunk): void {
    this.#ctx.push(chunk);
  }

  end(): void {
    this.#ended = true;
    this.#timer = this.#ctx.clock.setTimeout(() => this.#ctx.end(), this.#delay);
  }

  detach(): Held {
    if (this.#timer !== undefined) this.#ctx.clock.clearTimeout(this.#timer);
    return { chunks: [], ended: this.#ended };
  }
}

/** The `slow_close` toxic. */
export const slowClose = defineToxic({
  type: 'slow_close',
  summary: 'delays the close (FIN) of the stream by delay ms',
  attributes,
  create: (attrs, ctx) => new SlowCloseStage(attrs, ctx),
});
