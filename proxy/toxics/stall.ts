/**
 * stall: how a `blackhole` acts over stdio (`faultline stdio`). Nothing passes, nothing is
 * discarded: chunks (and an end of stream) are held, counted against the link's bound (so the
 * source is paused and the pipe fills, as a stalled TCP window would), and handed back in order
 * when the toxic is removed. A JSON-RPC stream cut in two keeps its framing: nothing lost, nothing
 * replayed. Not a wire type of its own: the relay puts it in place of `blackhole`.
 */
import { ChunkQueue } from '../chunk-queue.js';
import { defineToxic, type Chunk, type Held, type Stage } from './toxic.js';
import { blackhole } from './blackhole.js';

/** A stage that holds everything until it is detached. */
export class StallStage implements Stage {
  #queue = new ChunkQueue();
  #ended = false;

  get held(): number {
    return this.#queue.bytes;
  }

  write(chunk: Chunk): void {
    this.#queue.push(chunk);
  }

  end(): void {
    this.#ended = true;
  }

  detach(): Held {
    return { chunks: this.#queue.drain(), ended: this.#ended };
  }
}

/** `blackhole` as the stdio relay applies it: held, not discarded. */
export const stall = defineToxic({
  ...blackhole,
  summary: 'holds everything in this stream until removed, then delivers it (blackhole over stdio)',
  create: () => new StallStage(),
});
