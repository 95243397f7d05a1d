/**
 * bandwidth: limits the stream to `rate` KB/s (1 KB = 1000 bytes, so `rate` bytes per ms). Each
 * piece waits its own transmission time before it is passed on; a chunk larger than 100 ms worth
 * of bytes is cut into 100 ms pieces; timing error carries forward, up to one piece (a stage that
 * fell behind never bursts more than that to catch up). `rate` 0 holds everything
 * until the toxic is changed or removed (the reader is paused once the link's bound is reached).
 */
import { z } from 'zod';
import { integer } from './attributes.js';
import type { StepResult } from '../pump.js';
import { QueuedStage } from './queued-stage.js';
import { defineToxic, type Chunk, type StageContext } from './toxic.js';

const attributes = z.object({ rate: integer('KB/s') });
type Attributes = z.infer<typeof attributes>;

const PIECE_MS = 100;
const EARLY_MS = 1;

class BandwidthStage extends QueuedStage {
  #rate: number;
  /** When the head piece has been fully "transmitted" and may be passed on. */
  #headReadyAt: number | undefined;
  /**
   * When the last piece was passed on. It starts at the stage's creation: chunks handed over by
   * the stage this one replaces (on update) keep their old `receivedAt`, and the new rate must not
   * count the time before the update as transmission time already spent (that sent a burst).
   */
  #lastReadyAt: number;

  constructor(attrs: Attributes, ctx: StageContext) {
    super(ctx);
    this.#rate = attrs.rate;
    this.#lastReadyAt = ctx.clock.now();
  }

  /**
   * A new rate in place, as if the stage were made anew (its queue kept, in order): the time
   * before the update does not count as transmission time at the new rate. Cheaper than a new
   * stage per link, which matters when a rate changes under thousands of connections.
   */
  update(attrs: Attributes): void {
    this.#rate = attrs.rate;
    this.#lastReadyAt = this.ctx.clock.now();
    this.#headReadyAt = undefined;
    this.reschedule();
  }

  /** Passes the head piece on once its transmission time is over, else says how long to wait. */
  protected release(head: Chunk): StepResult {
    if (this.#rate === 0) return false;
    const now = this.ctx.clock.now();
    const size = Math.min(head.data.length, this.#rate * PIECE_MS);
    // A pump that ran late makes up at most one piece's time: credit carried without a cap let a
    // loop that fell behind send ever larger bursts, each making it fall further behind.
    this.#headReadyAt ??= Math.max(this.#lastReadyAt, head.receivedAt, now - PIECE_MS) + size / this.#rate;
    if (this.#headReadyAt > now + EARLY_MS) return this.#headReadyAt - now;
    this.#lastReadyAt = this.#headReadyAt;
    this.#headReadyAt = undefined;
    if (size === head.data.length) {
      this.ctx.push(this.queue.shift() as Chunk);
    } else {
      this.ctx.push({ data: head.data.subarray(0, size), receivedAt: head.receivedAt });
      this.queue.trimHead(head.data.subarray(size));
    }
    return true;
  }
}

/** The `bandwidth` toxic. */
export const bandwidth = defineToxic({
  type: 'bandwidth',
  summary: 'limits throughput to rate KB/s (1 KB = 1000 bytes), per connection and direction',
  attributes,
  create: (attrs, ctx) => new BandwidthStage(attrs, ctx),
});
