/**
 * cut_after: lets data flow for `after_ms`, then does `action` to the connection: `reset` (RST
 * both ways), `close` (FIN both ways, after what was written has flushed) or `blackhole` (the
 * connection stays open, silent in this toxic's stream; put one on each stream for a silent
 * unplug). The clock is per connection and starts when the toxic takes effect on it: when the
 * connection opens (its upstream is connected) for a connection made while the toxic exists, when
 * the toxic is added (or picked by an update of its toxicity or clients) for a live one. An update
 * of `after_ms` keeps that start; one that makes the time already past acts at once. Idle
 * connections are cut too: the clock runs whether data flows or not.
 */
import { z } from 'zod';
import { millis } from './attributes.js';
import { BlackholeStage } from './blackhole.js';
import { cutAction } from './cut-mode.js';
import { defineToxic, NOTHING_HELD, type Chunk, type Held, type Stage, type StageContext } from './toxic.js';

const attributes = z.object({ after_ms: millis(), action: cutAction() });
type Attributes = z.infer<typeof attributes>;

class CutAfterStage implements Stage<Attributes> {
  #ctx: StageContext;
  #attrs: Attributes;
  #start: number;
  #timer: unknown;
  #fired = false;
  #silenced: BlackholeStage | undefined;

  constructor(attrs: Attributes, ctx: StageContext) {
    this.#attrs = attrs;
    this.#ctx = ctx;
    this.#start = ctx.clock.now();
    this.#arm();
  }

  write(chunk: Chunk): void {
    if (!this.#silenced) this.#ctx.push(chunk);
  }

  end(): void {
    if (this.#silenced) this.#silenced.end();
    else this.#ctx.end();
  }

  detach(): Held {
    this.#disarm();
    return this.#silenced?.detach() ?? NOTHING_HELD;
  }

  update(attrs: Attributes): void {
    this.#attrs = attrs;
    if (!this.#fired) this.#arm();
    else if (this.#silenced && attrs.action !== 'blackhole') this.#fire();
  }

  #arm(): void {
    this.#disarm();
    const wait = this.#start + this.#attrs.after_ms - this.#ctx.clock.now();
    if (wait <= 0) this.#fire();
    else this.#timer = this.#ctx.clock.setTimeout(() => this.#fire(), wait);
  }

  #disarm(): void {
    if (this.#timer !== undefined) this.#ctx.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #fire(): void {
    this.#timer = undefined;
    this.#fired = true;
    const { action } = this.#attrs;
    const reason = `cut_after (${action})`;
    this.#ctx.tripped(reason);
    if (action === 'blackhole') this.#silenced = new BlackholeStage();
    else this.#ctx.cut(action, reason);
  }
}

/** The `cut_after` toxic. */
export const cutAfter = defineToxic({
  type: 'cut_after',
  summary: 'lets data flow for after_ms per connection, then resets, closes or black-holes it',
  attributes,
  create: (attrs, ctx) => new CutAfterStage(attrs, ctx),
});
