/**
 * Receivers: where a Link's chunks go next, a toxic's stage (Slot) or the destination socket (Sink).
 * A receiver can take over what a leaving stage held (its toxic removed, or replaced by an update):
 * those chunks are delivered ahead of anything written after them, in bounded batches (Pump), so
 * a removal over many loaded links never loops over all their backlogs in one turn.
 */
import { ChunkQueue } from './chunk-queue.js';
import { Pump, type PumpHost, type StepResult } from './pump.js';
import { NOTHING_HELD, type Chunk, type Held, type Stage } from './toxics/toxic.js';

/** Who is told when a receiver has delivered a backlog it took over. */
export interface ReceiverOwner {
  delivered(receiver: Receiver): void;
}

/** Where a Sink writes: the destination of a Link. */
export interface SinkTarget {
  sinkWrite(chunk: Chunk): void;
  sinkEnd(): void;
}

/** A place chunks flow into, with an optional backlog taken over from a stage that left. */
export abstract class Receiver {
  #host: PumpHost;
  #owner: ReceiverOwner;
  #backlog: ChunkQueue | undefined;
  #endPending = false;
  #pump: Pump | undefined;

  /** `owner` is told once a taken-over backlog has been delivered. */
  constructor(host: PumpHost, owner: ReceiverOwner) {
    this.#host = host;
    this.#owner = owner;
  }

  /** Bytes taken over and not yet delivered. */
  get backlog(): number {
    return this.#backlog?.bytes ?? 0;
  }

  /** Whether a taken-over backlog (or its pending end) is still being delivered. */
  get busy(): boolean {
    return this.#backlog !== undefined;
  }

  write(chunk: Chunk): void {
    if (this.#backlog) this.#backlog.push(chunk);
    else this.deliver(chunk);
  }

  end(): void {
    if (this.#backlog) this.#endPending = true;
    else this.finish();
  }

  /** Takes over what a leaving stage held (and its pending end), ahead of anything written after. */
  takeOver(held: Held): void {
    if (held.chunks.length === 0) {
      if (held.ended) this.end();
      return;
    }
    const backlog = (this.#backlog ??= new ChunkQueue());
    for (const chunk of held.chunks) backlog.push(chunk);
    if (held.ended) this.#endPending = true;
    (this.#pump ??= new Pump(this.#host, this.#step)).kick();
  }

  /** Stops delivering the backlog; returns it (oldest first) with its pending end. */
  protected release(): Held {
    this.#pump?.stop();
    this.#pump = undefined;
    const held = { chunks: this.#backlog?.drain() ?? [], ended: this.#endPending };
    this.#backlog = undefined;
    this.#endPending = false;
    return held;
  }

  protected abstract deliver(chunk: Chunk): void;
  protected abstract finish(): void;

  #step = (): StepResult => {
    const chunk = this.#backlog?.shift();
    if (chunk !== undefined) {
      this.deliver(chunk);
      return true;
    }
    this.#backlog = undefined;
    this.#pump = undefined;
    if (this.#endPending) {
      this.#endPending = false;
      this.finish();
    }
    this.#owner.delivered(this);
    return false;
  };
}

/** The place of one active toxic in a Link's chain: its stage and the receiver after it. */
export class Slot extends Receiver {
  stage!: Stage;
  next: Receiver;
  detached = false;
  endSent = false;
  #endReceived = false;

  constructor(host: PumpHost, owner: ReceiverOwner, next: Receiver) {
    super(host, owner);
    this.next = next;
  }

  /** Detaches the stage: what it held, then what was taken over and not yet given to it, and a pending end. */
  leave(): Held {
    this.detached = true;
    const held = this.stage.detach?.() ?? NOTHING_HELD;
    const rest = this.release();
    return {
      chunks: rest.chunks.length === 0 ? held.chunks : [...held.chunks, ...rest.chunks],
      ended: (held.ended && !this.endSent) || rest.ended,
    };
  }

  protected deliver(chunk: Chunk): void {
    this.stage.write(chunk);
  }

  protected finish(): void {
    if (this.#endReceived) return;
    this.#endReceived = true;
    if (this.stage.end) this.stage.end();
    else if (!this.endSent) {
      // A stage without `end` holds nothing back: the end goes on at once.
      this.endSent = true;
      this.next.end();
    }
  }
}

/** The end of a chain: chunks go to the destination socket. */
export class Sink extends Receiver {
  #target: SinkTarget;

  constructor(host: PumpHost, owner: ReceiverOwner, target: SinkTarget) {
    super(host, owner);
    this.#target = target;
  }

  /** Drops whatever was taken over and not yet written (the link is closing). */
  clear(): void {
    this.release();
  }

  protected deliver(chunk: Chunk): void {
    this.#target.sinkWrite(chunk);
  }

  protected finish(): void {
    this.#target.sinkEnd();
  }
}
