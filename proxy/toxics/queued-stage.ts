/**
 * QueuedStage: the base of stages that hold what they receive and let it out on their own
 * schedule (latency, bandwidth, slicer). It owns the queue, the end flag and the Pump, so each
 * toxic says only when and how its head chunk leaves (`release`).
 */
import { ChunkQueue } from '../chunk-queue.js';
import { Pump, type StepResult } from '../pump.js';
import type { Chunk, Held, Stage, StageContext } from './toxic.js';

/** A stage with a queue drained by a Pump; subclasses implement `release`. */
export abstract class QueuedStage implements Stage {
  protected readonly ctx: StageContext;
  protected readonly queue = new ChunkQueue();
  #ended = false;
  readonly #pump: Pump;

  constructor(ctx: StageContext) {
    this.ctx = ctx;
    this.#pump = new Pump(ctx, () => this.#step());
  }

  get held(): number {
    return this.queue.bytes;
  }

  write(chunk: Chunk): void {
    this.queue.push(chunk);
    this.#pump.kick();
  }

  end(): void {
    this.#ended = true;
    this.#pump.kick();
  }

  detach(): Held {
    this.#pump.stop();
    return { chunks: this.queue.drain(), ended: this.#ended };
  }

  /** Recomputes when the head may leave, now (after an update in place changed the schedule). */
  protected reschedule(): void {
    this.#pump.reschedule();
  }

  /**
   * Passes on (part of) `head`, the oldest chunk still queued, and says what it did: `true` if it
   * emitted something, or the ms to wait until it can.
   */
  protected abstract release(head: Chunk): StepResult;

  /** One step of the pump: the end is passed on once the queue is empty. */
  #step(): StepResult {
    const head = this.queue.peek();
    if (head !== undefined) return this.release(head);
    if (this.#ended) this.ctx.end();
    return false;
  }
}
