/**
 * bandwidth: limits the stream to `rate` KB/s (1 KB = 1000 bytes, so `rate` bytes per ms). Each
 * piece waits its own transmission time before it is passed on; a chunk larger than 100 ms worth
 * of bytes is cut into 100 ms pieces; timing error carries forward. `rate` 0 holds everything
 * until the toxic is changed or removed (the reader is paused once the link's bound is reached).
 */
import { z } from 'zod';
import { integer } from './attributes.js';
import { ChunkQueue } from './chunk-queue.js';
import { defineToxic, type Chunk, type Held, type Stage, type StageContext } from './toxic.js';

const attributes = z.object({ rate: integer('KB/s') });
type Attributes = z.infer<typeof attributes>;

const PIECE_MS = 100;
const EARLY_MS = 1;

class BandwidthStage implements Stage {
  #ctx: StageContext;
  #rate: number;
  #queue = new ChunkQueue();
  /** When the head piece has been fully "transmitted" and may be passed on. */
  #headReadyAt: number | undefined;
  /**
   * When the last piece was passed on. It starts at the stage's creation: chunks handed over by
   * the stage this one replaces (on update) keep their old `receivedAt`, and the new rate must not
   * count the time before the update as transmission time already spent (that sent a burst).
   */
  #lastReadyAt: number;
  #timer: unknown;
  #ended = false;

  constructor(attrs: Attributes, ctx: StageContext) {
    this.#rate = attrs.rate;
    this.#ctx = ctx;
    this.#lastReadyAt = ctx.clock.now();
  }

  get held(): number {
    return this.#queue.bytes;
  }

  write(chunk: Chunk): void {
    this.#queue.push(chunk);
    if (this.#timer === undefined) this.#pump();
  }

  end(): void {
    this.#ended = true;
    if (this.#timer === undefined) this.#pump();
  }

  detach(): Held {
    if (this.#timer !== undefined) this.#ctx.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    return { chunks: this.#queue.drain(), ended: this.#ended };
  }

  #pump = (): void => {
    this.#timer = undefined;
    if (this.#rate === 0 && this.#queue.length > 0) return;
    const now = this.#ctx.clock.now();
    const maxPiece = this.#rate * PIECE_MS;
    for (let head = this.#queue.peek(); head !== undefined; head = this.#queue.peek()) {
      const size = Math.min(head.data.length, maxPiece);
      this.#headReadyAt ??= Math.max(this.#lastReadyAt, head.receivedAt) + size / this.#rate;
      if (this.#headReadyAt > now + EARLY_MS) {
        this.#timer = this.#ctx.clock.setTimeout(this.#pump, this.#headReadyAt - now);
        return;
      }
      this.#lastReadyAt = this.#headReadyAt;
      this.#headReadyAt = undefined;
      if (size === head.data.length) {
        this.#ctx.push(this.#queue.shift() as Chunk);
      } else {
        this.#ctx.push({ data: head.data.subarray(0, size), receivedAt: head.receivedAt });
        this.#queue.trimHead(head.data.subarray(size));
      }
    }
    if (this.#ended) this.#ctx.end();
  };
}

/** The `bandwidth` toxic. */
export const bandwidth = defineToxic({
  type: 'bandwidth',
  summary: 'limits throughput to rate KB/s (1 KB = 1000 bytes), per connection and direction',
  attributes,
  create: (attrs, ctx) => new BandwidthStage(attrs, ctx),
});
