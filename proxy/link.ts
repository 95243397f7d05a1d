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
import type { Socket } from 'node:net';
import type { Random } from './random.js';
import { Sink, Slot, type Receiver } from './receiver.js';
import type { Scheduler } from './scheduler.js';
import type { Toxic } from './toxic-set.js';
import type { Chunk, Clock, CutMode, StageContext } from './toxics/toxic.js';

/** What a Link needs from its Connection. */
export interface LinkHost {
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  /** The seeded generator of this link for `toxic` (`purpose` separates independent draws). */
  random(toxic: Toxic, purpose: string): Random;
  cut(mode: CutMode, reason: string): void;
  tripped(toxic: Toxic, detail: string): void;
  /** The source socket sent FIN. */
  sourceEnded(direction: 'upstream' | 'downstream'): void;
}

interface Entry {
  toxic: Toxic;
  /** This link's toxicity draw (the toxic is active here while draw < toxicity); drawn when first needed. */
  draw: number | undefined;
  slot: Slot | undefined;
}

/** One direction of a connection: reads `source`, runs the stages, writes `destination`. */
export class Link {
  readonly direction: 'upstream' | 'downstream';
  /** Bytes read from the source socket. */
  bytesIn = 0;
  /** Bytes handed to the destination socket. */
  bytesOut = 0;

  #source: Socket;
  #dest: Socket;
  #host: LinkHost;
  #bound: number;
  #entries: Entry[] = [];
  /** Where the last stage writes; made when the first stage is (a link that never has one never needs it). */
  #sink: Sink | undefined;
  /** The first receiver of the chain; undefined on the fast path (no stage, nothing handed over). */
  #head: Receiver | undefined;
  #waitDrain = false;
  #overBound = false;
  /** Reading is paused until a later slice: this turn's data-plane budget is spent. */
  #yielded = false;
  #closed = false;
  #sinkEnded = false;
  #finishReason: string | undefined;

  constructor(direction: 'upstream' | 'downstream', source: Socket, dest: Socket, host: LinkHost, bound: number) {
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
    let held = this.#dest.writableLength + (this.#sink?.backlog ?? 0);
    for (const entry of this.#entries) if (entry.slot) held += entry.slot.stage.held + entry.slot.backlog;
    return held;
  }

  /** Names of the toxics active on this link (drawn in by their toxicity). */
  get activeToxics(): string[] {
    return this.#entries.filter((e) => e.slot).map((e) => e.toxic.name);
  }

  /** Appends a toxic to the end of this link's chain. */
  addToxic(toxic: Toxic): void {
    const entry: Entry = { toxic, draw: undefined, slot: undefined };
    this.#entries.push(entry);
    if (this.#selected(entry)) this.#activate(entry);
  }

  /** Applies new attributes or toxicity; an active stage is updated in place or replaced. */
  updateToxic(toxic: Toxic): void {
    const entry = this.#entries.find((e) => e.toxic.name === toxic.name);
    if (!entry) return;
    entry.toxic = toxic;
    const active = this.#selected(entry);
    if (entry.slot && active) {
      if (entry.slot.stage.update) entry.slot.stage.update(toxic.attributes);
      else this.#replace(entry);
    } else if (entry.slot) {
      this.#deactivate(entry);
    } else if (active) {
      this.#activate(entry);
    }
  }

  /** Removes a toxic; what it held goes on to the next stage. */
  removeToxic(name: string): void {
    const index = this.#entries.findIndex((e) => e.toxic.name === name);
    if (index < 0) return;
    const [entry] = this.#entries.splice(index, 1) as [Entry];
    if (!entry.slot) return;
    this.#deactivate(entry);
    if (entry.toxic.definition.closesOnRemove) this.#host.cut('close', `${entry.toxic.type} removed`);
  }

  /**
   * Stops the link for good: stages are detached (their data dropped), no more reads are handled.
   * `socketsClosed`: both sockets are closed already, so no event can come and the listeners
   * need not be taken off (the common end of a connection; it saves six removals).
   */
  close(socketsClosed = false): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const entry of this.#entries) {
      entry.slot?.leave();
      entry.slot = undefined;
    }
    this.#sink?.clear();
    this.#head = undefined;
    if (socketsClosed) return;
    this.#source.off('data', this.#onData);
    this.#source.off('end', this.#onEnd);
    this.#dest.off('drain', this.#onDrain);
  }

  /** Whether the toxic of `entry` is active on this link; the draw is only made (seeded) when it can matter. */
  #selected(entry: Entry): boolean {
    const { toxicity } = entry.toxic;
    if (toxicity >= 1) return true;
    if (toxicity <= 0) return false;
    entry.draw ??= this.#host.random(entry.toxic, 'toxicity')();
    return entry.draw < toxicity;
  }

  #onData = (data: Buffer): void => {
    this.bytesIn += data.length;
    if (this.#head === undefined) {
      this.bytesOut += data.length;
      if (!this.#dest.write(data)) {
        this.#waitDrain = true;
        this.#source.pause();
      }
    } else {
      this.#head.write({ data, receivedAt: this.#host.clock.now() });
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
    this.#host.sourceEnded(this.direction);
    if (this.#head) this.#head.end();
    else this.#sinkEnd();
  };

  #onDrain = (): void => {
    this.#waitDrain = false;
    this.#maybeResume();
  };

  /** A receiver delivered what it had taken over. */
  #progress(): void {
    if (this.#overBound) this.#maybeResume();
  }

  #maybeResume(): void {
    if (this.#closed) return;
    if (this.#overBound && this.held <= this.#bound / 2) this.#overBound = false;
    if (!this.#waitDrain && !this.#overBound && !this.#yielded) this.#source.resume();
  }

  #sinkWrite(chunk: Chunk): void {
    this.bytesOut += chunk.data.length;
    if (this.#dest.writable) this.#dest.write(chunk.data);
  }

  #sinkEnd(): void {
    if (this.#sinkEnded) return;
    this.#sinkEnded = true;
    this.#dest.end();
    if (this.#finishReason !== undefined) this.#host.cut('close', this.#finishReason);
  }

  #context(entry: Entry, slot: Slot): StageContext {
    const clock = this.#host.clock;
    return {
      clock,
      scheduler: this.#host.scheduler,
      random: this.#host.random(entry.toxic, 'stage'),
      push: (chunk) => {
        if (slot.detached) return;
        chunk.receivedAt = clock.now();
        slot.next.write(chunk);
        if (this.#overBound) this.#maybeResume();
      },
      end: () => {
        if (slot.detached || slot.endSent) return;
        slot.endSent = true;
        slot.next.end();
      },
      finish: (reason) => {
        if (slot.detached) return;
        this.#finishReason = reason;
        if (!slot.endSent) {
          slot.endSent = true;
          slot.next.end();
        }
      },
      cut: (mode, reason) => {
        if (!slot.detached) this.#host.cut(mode, reason);
      },
      tripped: (detail) => this.#host.tripped(entry.toxic, detail),
    };
  }

  #newSlot(entry: Entry): Slot {
    this.#sink ??= new Sink(
      this.#host,
      () => {
        // The sink's backlog is out: with no stage left, the fast path may take over again.
        this.#relink();
        this.#progress();
      },
      (chunk) => this.#sinkWrite(chunk),
      () => this.#sinkEnd(),
    );
    const slot = new Slot(this.#host, () => this.#progress(), this.#sink);
    const { definition, attributes, state } = entry.toxic;
    slot.stage = definition.create(attributes, this.#context(entry, slot), state);
    return slot;
  }

  #activate(entry: Entry): void {
    if (this.#closed) return;
    const slot = this.#newSlot(entry);
    if (this.#closed) {
      // The new stage cut the connection as it started (drop): nothing to wire.
      slot.leave();
      return;
    }
    entry.slot = slot;
    this.#relink();
  }

  #deactivate(entry: Entry): void {
    const slot = entry.slot as Slot;
    entry.slot = undefined;
    const held = slot.leave();
    const now = this.#host.clock.now();
    for (const chunk of held.chunks) chunk.receivedAt = now;
    // Handed over before the chain is relinked: with no stage left, the sink's backlog keeps the fast path off.
    slot.next.takeOver(held);
    this.#relink();
    this.#maybeResume();
  }

  #replace(entry: Entry): void {
    const held = (entry.slot as Slot).leave();
    const slot = this.#newSlot(entry);
    entry.slot = slot;
    if (this.#closed) return;
    this.#relink();
    slot.takeOver(held);
    this.#maybeResume();
  }

  /**
   * Points every active slot at the next active one (or the sink), in toxic order. With no active
   * slot the fast path takes over, unless the sink still delivers a backlog (new data queues behind it).
   */
  #relink(): void {
    if (this.#closed) return;
    const sink = this.#sink as Sink;
    let next: Receiver = sink;
    for (let i = this.#entries.length - 1; i >= 0; i--) {
      const slot = (this.#entries[i] as Entry).slot;
      if (!slot) continue;
      slot.next = next;
      next = slot;
    }
    this.#head = next === sink && !sink.busy ? undefined : next;
  }
}
