/**
 * flaky: forwards, but each chunk may trip the connection it belongs to. What a trip does is
 * `action`: `reset` (RST), `close` (FIN) or `blackhole` (the connection stays open, silent in this
 * stream, until the toxic is changed or removed).
 *
 * Trips follow a two-state Gilbert-Elliott chain shared by every connection of the proxy in this
 * stream (a bad link is bad for everyone crossing it): in the good state a chunk trips with
 * probability `rate`; each chunk enters a burst with probability `burst_rate`; in a burst every
 * chunk trips, and a burst lasts `burst_length` chunks on average (it ends with probability
 * 1 / burst_length per chunk). `burst_rate` 0 (the default) gives independent trips. Draws come
 * from the seeded generator of each link, so the same seed and traffic trip at the same places.
 */
import { z } from 'zod';
import { integer, probability } from './attributes.js';
import { BlackholeStage } from './blackhole.js';
import { cutAction } from './cut-mode.js';
import { defineToxic, NOTHING_HELD, type Chunk, type Held, type Stage, type StageContext } from './toxic.js';

/** The attributes of `flaky` (scenario steps take them from here too). */
export const flakyAttributes = z.object({
  rate: probability(0),
  action: cutAction(),
  burst_rate: probability(0),
  burst_length: integer('chunks').refine((n) => n >= 1, { error: 'must be >= 1 (chunks)' }).default(1),
});
type Attributes = z.infer<typeof flakyAttributes>;

/** The chain state shared by the links of one flaky toxic. */
interface Chain {
  inBurst: boolean;
}

/** Advances the chain by one chunk; true when that chunk trips. */
export function step(chain: Chain, attrs: Attributes, random: () => number): boolean {
  if (chain.inBurst) {
    if (random() < 1 / attrs.burst_length) chain.inBurst = false;
  } else if (attrs.burst_rate > 0 && random() < attrs.burst_rate) {
    chain.inBurst = true;
  }
  return chain.inBurst || random() < attrs.rate;
}

class FlakyStage implements Stage {
  #ctx: StageContext;
  #attrs: Attributes;
  #chain: Chain;
  #silenced: BlackholeStage | undefined;

  constructor(attrs: Attributes, ctx: StageContext, chain: Chain) {
    this.#attrs = attrs;
    this.#ctx = ctx;
    this.#chain = chain;
  }

  write(chunk: Chunk): void {
    if (this.#silenced) return;
    if (!step(this.#chain, this.#attrs, this.#ctx.random)) {
      this.#ctx.push(chunk);
      return;
    }
    const { action } = this.#attrs;
    this.#ctx.tripped(`flaky (${action})`);
    if (action === 'blackhole') this.#silenced = new BlackholeStage();
    else this.#ctx.cut(action, `flaky (${action})`);
  }

  end(): void {
    if (this.#silenced) this.#silenced.end();
    else this.#ctx.end();
  }

  detach(): Held {
    return this.#silenced?.detach() ?? NOTHING_HELD;
  }
}

/** The `flaky` toxic. */
export const flaky = defineToxic({
  type: 'flaky',
  summary: 'each chunk trips its connection (reset, close or blackhole) with probability rate, optionally in bursts',
  attributes: flakyAttributes,
  createState: (): Chain => ({ inBurst: false }),
  create: (attrs, ctx, chain) => new FlakyStage(attrs, ctx, chain),
});
