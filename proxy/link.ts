/**
 * Link: one direction of one Connection.
 *
 *   source socket ──data──► [stage] ──► [stage] ──► … ──► sink ──write──► destination socket
 *        ▲                                                                      │
 *        └──── pause / resume: held bytes (stages + destination buffer) vs bound ┘
 *
 * With no active stage the source writes straight to the destination (the fast path: no
 * allocation, no timer, just `write()` and pause-until-'drain', like `pipe`). Once the turn's
 * data-plane budget is spent (see Scheduler), the source is paused until a later slice, so a
 * socket that always has data cannot keep the loop reading it. Adding, updating
 * and removing a toxic splices the stage list between two chunks, synchronously: held chunks
 * are taken over by the next receiver, ahead of newer ones and delivered in bounded batches, so
 * nothing is lost, duplicated or reordered and no splice loops over a whole backlog at once.
 */
import type { Readable, Writable } from 'node:stream';
import { Chain, type ChainOwner } from './chain.js';
import type { Random } from './random.js';
import { dataPlaneStep, type Scheduler } from './scheduler.js';
import type { Toxic } from './toxic-set.js';
import type { Clock } from './clock.js';
import type { CutMode } from '../protocol/wire.js';
import type { Chunk } from './toxics/toxic.js';

/** What a Link needs from its Connection. */
export interface LinkHost {
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  /** The seeded generator of this link for `toxic` (`purpose` separates independent draws). */
  random(toxic: Toxic, purpose: string): Random;
  /** Whether this connection is one `toxic`'s client selector picks (true when it has none). */
  selects(toxic: Toxic): boolean;
  cut(mode: CutMode, reason: string): void;
  tripped(toxic: Toxic, detail: string): void;
  /** The per-connection state of `toxic` (see StageContext.shared). */
  shared<T extends object>(toxic: Toxic, create: () => T): T;
  /** `toxic` passes this connection through untouched (see StageContext.bypassed). */
  bypassed(toxic: Toxic, reason: string): void;
  /** The destination of the link in `direction` drained: the other link may count its backlog (see StageContext.backlog). */
  drained(direction: 'upstream' | 'downstream'): void;
  /** The source socket sent FIN. */
  sourceEnded(direction: 'upstream' | 'downstream'): void;
}

/** One direction of a connection: reads `source`, runs the stages, writes `destination` (sockets, or the pipes of `faultline stdio`). */
export class Link implements ChainOwner {
  readonly direction: 'upstream' | 'downstream';
  /** Bytes read from the source socket. */
  bytesIn = 0;
  /** Bytes handed to the destination socket. */
  bytesOut = 0;

  #source: Readable;
  #dest: Writable;
  #host: LinkHost;
  #bound: number;
  /** The toxic stages; made with the first toxic (a link that never has one never needs it). */
  #chain: Chain | undefined;
  #waitDrain = false;
  #overBound = false;
  /** Reading is paused until a later slice: this turn's data-plane budget is spent. */
  #yielded = false;
  #closed = false;
  #sinkEnded = false;
  #finishReason: string | undefined;

  constructor(direction: 'upstream' | 'downstream', source: Readable, dest: Writable, host: LinkHost, bound: number) {
    this.direction = direction;
    this.#source = source;
    this.#dest = dest;
    this.#host = host;
    this.#bound = bound;
    source.on('data', this.#onData);
    source.on('end', this.#onEnd);
    dest.on('drain', this.#onDrain);
  }

  /** Bytes held by the stages and the destination's write buffer (what the bound limits). */
  get held(): number {
    return this.#dest.writableLength + (this.#chain?.held ?? 0);
  }

  /**
   * Bytes in the destination socket's write buffer, counted only once it is over its high-water
   * mark: then a 'drain' is sure to come (and to reach the other link, see LinkHost.drained).
   */
  get backlog(): number {
    return this.#dest.writableNeedDrain ? this.#dest.writableLength : 0;
  }

  /** Names of the toxics active on this link (drawn in by their toxicity). */
  get activeToxics(): string[] {
    return this.#chain?.active ?? [];
  }

  /** Appends a toxic to the end of this link's chain. */
  addToxic(toxic: Toxic): void {
    if (this.#closed) return;
    this.#chain ??= new Chain(this.#host, this);
    this.#chain.add(toxic);
  }

  /** Applies new attributes or toxicity; an active stage is updated in place or replaced. */
  updateToxic(toxic: Toxic): void {
    this.#chain?.update(toxic);
  }

  /** Removes a toxic; what it held goes on to the next stage. */
  removeToxic(name: string): void {
    const removed = this.#chain?.remove(name);
    if (removed?.definition.closesOnRemove) this.#host.cut('close', `${removed.type} removed`);
  }

  /**
   * Stops the link for good: stages are detached (their data dropped), no more reads are handled.
   * `socketsClosed`: both sockets are closed already, so no event can come and the listeners
   * need not be taken off (the common end of a connection; it saves six removals).
   */
  close(socketsClosed = false): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#chain?.close();
    if (socketsClosed) return;
    this.#source.off('data', this.#onData);
    this.#source.off('end', this.#onEnd);
    this.#dest.off('drain', this.#onDrain);
  }

  /** The chain's side: data moved on, so the bound may allow reading again. */
  progress(): void {
    if (this.#overBound) this.#maybeResume();
  }

  /** The chain's side: the connection closes once the end of the stream reaches the destination. */
  finish(reason: string): void {
    this.#finishReason = reason;
  }

  /** The chain's side: a chunk that left the last stage. */
  sinkWrite(chunk: Chunk): void {
    this.bytesOut += chunk.data.length;
    if (this.#dest.writable) this.#dest.write(chunk.data);
  }

  /** The chain's side (and the fast path's): the end of the stream reached the destination. */
  sinkEnd(): void {
    if (this.#sinkEnded) return;
    this.#sinkEnded = true;
    this.#dest.end();
    if (this.#finishReason !== undefined) this.#host.cut('close', this.#finishReason);
  }

  #onData = (data: Buffer): void => {
    this.bytesIn += data.length;
    const head = this.#chain?.head;
    if (head === undefined) {
      this.bytesOut += data.length;
      if (!this.#dest.write(data)) {
        this.#waitDrain = true;
        this.#source.pause();
      }
    } else {
      head.write({ data, receivedAt: this.#host.clock.now() });
      if (!this.#overBound && this.held > this.#bound) {
        this.#overBound = true;
        this.#source.pause();
      }
    }
    // A socket that always has data would otherwise be read again and again in the same turn.
    if (!this.#yielded && !this.#host.scheduler.hasRoom()) {
      this.#yielded = true;
      this.#source.pause();
      this.#host.scheduler.later(() => {
        this.#yielded = false;
        this.#maybeResume();
      });
    }
  };

  #onEnd = (): void => {
    dataPlaneStep();
    this.#host.sourceEnded(this.direction);
    const head = this.#chain?.head;
    if (head) head.end();
    else this.sinkEnd();
  };

  #onDrain = (): void => {
    dataPlaneStep();
    this.#waitDrain = false;
    this.#maybeResume();
    if (this.#chain) this.#host.drained(this.direction);
  };

  #maybeResume(): void {
    if (this.#closed) return;
    if (this.#overBound && this.held <= this.#bound / 2) this.#overBound = false;
    if (!this.#waitDrain && !this.#overBound && !this.#yielded) this.#source.resume();
  }
}
