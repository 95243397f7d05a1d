/**
 * slicer: cuts each chunk into pieces of about `average_size` ± `size_variation` bytes (Toxiproxy's
 * recursive halving with a random offset) and waits `delay` microseconds after each piece.
 * Timers have millisecond resolution, so pieces due within the same millisecond leave together
 * (each still as its own write). `average_size` must be at least 1 (0 crashes Toxiproxy).
 */
import { z } from 'zod';
import { integer } from './attributes.js';
import { ChunkQueue } from './chunk-queue.js';
import { defineToxic, type Chunk, type Held, type Stage, type StageContext } from './toxic.js';

const attributes = z.object({
  average_size: integer('bytes').refine((n) => n >= 1, { error: 'must be >= 1 (bytes)' }),
  size_variation: integer('bytes'),
  delay: integer('µs', 2_147_483_647_000),
});
type Attributes = z.infer<typeof attributes>;

const EARLY_MS = 1;

/** Piece boundaries of a chunk of `length` bytes, as Toxiproxy's SlicerToxic.chunk computes them. */
export function sliceBounds(length: number, average: number, variation: number, random: () => number): number[] {
  const bounds = [0];
  const split = (start: number, end: number): void => {
    if (end - start - average <= variation) {
      bounds.push(end);
      return;
    }
    let mid = start + Math.floor((end - start) / 2);
    if (variation > 0) mid += Math.floor(random() * variation * 2) - variation;
    mid = Math.min(end - 1, Math.max(start + 1, mid));
    split(start, mid);
    split(mid, end);
  };
  if (length > 0) split(0, length);
  return bounds;
}

class SlicerStage implements Stage {
  #ctx: StageContext;
  #attrs: Attributes;
  #pieces = new ChunkQueue();
  #nextAt = 0;
  #timer: unknown;
  #ended = false;

  constructor(attrs: Attributes, ctx: StageContext) {
    this.#attrs = attrs;
    this.#ctx = ctx;
  }

  get held(): number {
    return this.#pieces.bytes;
  }

  write(chunk: Chunk): void {
    const { average_size, size_variation } = this.#attrs;
    const bounds = sliceBounds(chunk.data.length, average_size, size_variation, this.#ctx.random);
    for (let i = 1; i < bounds.length; i++) {
      this.#pieces.push({ data: chunk.data.subarray(bounds[i - 1], bounds[i]), receivedAt: chunk.receivedAt });
    }
    if (this.#timer === undefined) this.#pump();
  }

  end(): void {
    this.#ended = true;
    if (this.#timer === undefined) this.#pump();
  }

  detach(): Held {
    if (this.#timer !== undefined) this.#ctx.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    return { chunks: this.#pieces.drain(), ended: this.#ended };
  }

  #pump = (): void => {
    this.#timer = undefined;
    const delayMs = this.#attrs.delay / 1000;
    const now = this.#ctx.clock.now();
    while (this.#pieces.length > 0) {
      if (delayMs > 0) {
        this.#nextAt = Math.max(this.#nextAt, (this.#pieces.peek() as Chunk).receivedAt);
        if (this.#nextAt > now + EARLY_MS) {
          this.#timer = this.#ctx.clock.setTimeout(this.#pump, this.#nextAt - now);
          return;
        }
        this.#nextAt += delayMs;
      }
      this.#ctx.push(this.#pieces.shift() as Chunk);
    }
    if (this.#ended) this.#ctx.end();
  };
}

/** The `slicer` toxic. */
export const slicer = defineToxic({
  type: 'slicer',
  summary: 'slices data into pieces of average_size ± size_variation bytes, delay µs apart',
  attributes,
  create: (attrs, ctx) => new SlicerStage(attrs, ctx),
});
