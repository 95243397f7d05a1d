/**
 * slicer: cuts each chunk into pieces of about `average_size` ± `size_variation` bytes (Toxiproxy's
 * recursive halving with a random offset) and waits `delay` microseconds after each piece.
 * Timers have millisecond resolution, so pieces due within the same millisecond leave together
 * (each still as its own write). With `delay` 0 every piece is due at once: they leave in batches,
 * yielding the event loop between two (see Pump). `average_size` must be at least 1 (0 crashes
 * Toxiproxy).
 */
import { z } from 'zod';
import { integer } from './attributes.js';
import type { StepResult } from '../pump.js';
import { QueuedStage } from './queued-stage.js';
import { defineToxic, type Chunk, type Held, type StageContext } from './toxic.js';

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

/**
 * Chunks are sliced lazily, as their pieces leave: a chunk waiting here is one object, not hundreds,
 * and what the stage hands back when it leaves is the unsent rest of each chunk.
 */
class SlicerStage extends QueuedStage {
  #attrs: Attributes;
  /** Piece bounds of the head chunk, once its first piece is due; `#index` is its next piece. */
  #bounds: number[] | undefined;
  #index = 0;
  #nextAt = 0;

  constructor(attrs: Attributes, ctx: StageContext) {
    super(ctx);
    this.#attrs = attrs;
  }

  override get held(): number {
    return this.queue.bytes - this.#sent();
  }

  override detach(): Held {
    const head = this.queue.peek();
    if (head !== undefined) this.queue.trimHead(head.data.subarray(this.#sent()));
    this.#bounds = undefined;
    this.#index = 0;
    return super.detach();
  }

  /** Bytes of the head chunk already passed on. */
  #sent(): number {
    return this.#bounds === undefined ? 0 : (this.#bounds[this.#index] as number);
  }

  /** Passes the next piece on (with delay 0 at once, yielding between batches), else says how long to wait. */
  protected release(head: Chunk): StepResult {
    const delayMs = this.#attrs.delay / 1000;
    if (delayMs > 0) {
      const now = this.ctx.clock.now();
      this.#nextAt = Math.max(this.#nextAt, head.receivedAt);
      if (this.#nextAt > now + EARLY_MS) return this.#nextAt - now;
      this.#nextAt += delayMs;
    }
    const { average_size, size_variation } = this.#attrs;
    this.#bounds ??= sliceBounds(head.data.length, average_size, size_variation, this.ctx.random);
    const bounds = this.#bounds;
    const piece = head.data.subarray(bounds[this.#index], bounds[this.#index + 1]);
    if (++this.#index >= bounds.length - 1) {
      this.queue.shift();
      this.#bounds = undefined;
      this.#index = 0;
    }
    if (piece.length > 0) this.ctx.push({ data: piece, receivedAt: head.receivedAt });
    return true;
  }
}

/** The `slicer` toxic. */
export const slicer = defineToxic({
  type: 'slicer',
  summary: 'slices data into pieces of average_size ± size_variation bytes, delay µs apart',
  attributes,
  create: (attrs, ctx) => new SlicerStage(attrs, ctx),
});
