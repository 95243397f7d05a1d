/**
 * latency: each chunk is released at the time it reached this toxic + `latency` ± `jitter` ms,
 * never before the chunk ahead of it (order is kept). Jitter is drawn per chunk, uniform in
 * [-jitter, +jitter]. Chunks held here count against the link's buffer bound, so a slow
 * release pauses the reader instead of growing memory.
 */
import { z } from 'zod';
import { millis } from './attributes.js';
import { ChunkQueue } from './chunk-queue.js';
import { defineToxic, type Chunk, type Held, type Stage, type StageContext } from './toxic.js';

const attributes = z.object({ latency: millis(), jitter: millis() });
type Attributes = z.infer<typeof attributes>;

/** Timers may fire up to a millisecond early (Node rounds to whole ms); release within that. */
const EARLY_MS = 1;

class LatencyStage implements Stage {
  #ctx: StageContext;
  #attrs: Attributes;
  #queue = new ChunkQueue();
  #headDue: number | undefined;
  #lastDue = 0;
  #timer: unknown;
  #ended = false;

  constructor(attrs: Attributes, ctx: StageContext) {
    this.#attrs = attrs;
    this.#ctx = ctx;
  }

  get held(): number {
    return this.#queue.bytes;
  }

  write(chunk: Chunk): void {
    this.#queue.push(chunk);
    if (this.#timer === undefined) this.#flush();
  }

  end(): void {
    this.#ended = true;
    if (this.#timer === undefined) this.#flush();
  }

  detach(): Held {
    if (this.#timer !== undefined) this.#ctx.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    return { chunks: this.#queue.drain(), ended: this.#ended };
  }

  #delay(): number {
    const { latency, jitter } = this.#attrs;
    return jitter > 0 ? latency + (this.#ctx.random() * 2 - 1) * jitter : latency;
  }

  #flush = (): void => {
    this.#timer = undefined;
    const now = this.#ctx.clock.now();
    for (let head = this.#queue.peek(); head !== undefined; head = this.#queue.peek()) {
      this.#headDue ??= Math.max(this.#lastDue, head.receivedAt + this.#delay());
      if (this.#headDue > now + EARLY_MS) {
        this.#timer = this.#ctx.clock.setTimeout(this.#flush, this.#headDue - now);
        return;
      }
      this.#lastDue = this.#headDue;
      this.#headDue = undefined;
      this.#ctx.push(this.#queue.shift() as Chunk);
    }
    if (this.#ended) this.#ctx.end();
  };
}

/** The `latency` toxic. */
export const latency = defineToxic({
  type: 'latency',
  summary: 'delays every chunk by latency ± jitter ms (one way)',
  attributes,
  create: (attrs, ctx) => new LatencyStage(attrs, ctx),
});
