/**
 * Chain: the toxic stages of one Link, in toxic order, and how they are wired.
 *
 *   head ──► [slot: stage] ──► [slot: stage] ──► … ──► sink ──► the Link's destination
 *
 * Only toxics active on the link (drawn in by their toxicity) have a slot. A change relinks the
 * slots between two chunks; what a leaving stage held is taken over by the next receiver, ahead of
 * newer data, and delivered in bounded batches. With no slot and no backlog there is no head: the
 * Link's fast path.
 */
import { Sink, Slot, type Receiver } from './receiver.js';
import type { LinkHost } from './link.js';
import type { Toxic } from './toxic-set.js';
import type { Chunk, StageContext } from './toxics/toxic.js';

/** What a Chain needs from its Link. */
export interface ChainHost extends LinkHost {
  /** Writes a chunk that left the last stage to the destination. */
  write(chunk: Chunk): void;
  /** Ends the destination (the end of the stream left the last stage). */
  end(): void;
  /** Data moved on (or a backlog was delivered): the Link re-checks its bound. */
  progress(): void;
  /** A stage ended the stream for good: the connection closes once that end reaches the destination. */
  finish(reason: string): void;
}

interface Entry {
  toxic: Toxic;
  /** This link's toxicity draw (the toxic is active here while draw < toxicity); drawn when first needed. */
  draw: number | undefined;
  slot: Slot | undefined;
}

/** The stages of one link (see the file comment). */
export class Chain {
  #host: ChainHost;
  #entries: Entry[] = [];
  #sink: Sink;
  #head: Receiver | undefined;
  #closed = false;

  constructor(host: ChainHost) {
    this.#host = host;
    this.#sink = new Sink(
      host,
      () => {
        // The sink's backlog is out: with no stage left, the fast path may take over again.
        this.#relink();
        host.progress();
      },
      (chunk) => host.write(chunk),
      () => host.end(),
    );
  }

  /** The first receiver; undefined when data may go straight to the destination. */
  get head(): Receiver | undefined {
    return this.#head;
  }

  /** Bytes held by the stages and the backlogs they handed over. */
  get held(): number {
    let held = this.#sink.backlog;
    for (const entry of this.#entries) if (entry.slot) held += entry.slot.stage.held + entry.slot.backlog;
    return held;
  }

  /** Names of the toxics active on this link. */
  get active(): string[] {
    return this.#entries.filter((e) => e.slot).map((e) => e.toxic.name);
  }

  /** Appends a toxic. */
  add(toxic: Toxic): void {
    const entry: Entry = { toxic, draw: undefined, slot: undefined };
    this.#entries.push(entry);
    if (this.#selected(entry)) this.#activate(entry);
  }

  /** Applies new attributes or toxicity; an active stage is updated in place or replaced. */
  update(toxic: Toxic): void {
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

  /** Removes a toxic; what it held goes on to the next receiver. Returns it if it was active here. */
  remove(name: string): Toxic | undefined {
    const index = this.#entries.findIndex((e) => e.toxic.name === name);
    if (index < 0) return undefined;
    const [entry] = this.#entries.splice(index, 1) as [Entry];
    if (!entry.slot) return undefined;
    this.#deactivate(entry);
    return entry.toxic;
  }

  /** Detaches every stage for good; what they held is dropped. */
  close(): void {
    this.#closed = true;
    for (const entry of this.#entries) {
      entry.slot?.leave();
      entry.slot = undefined;
    }
    this.#sink.clear();
    this.#head = undefined;
  }

  /** Whether the toxic of `entry` is active on this link; the draw is only made (seeded) when it can matter. */
  #selected(entry: Entry): boolean {
    const { toxicity } = entry.toxic;
    if (toxicity >= 1) return true;
    if (toxicity <= 0) return false;
    entry.draw ??= this.#host.random(entry.toxic, 'toxicity')();
    return entry.draw < toxicity;
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
        this.#host.progress();
      },
      end: () => {
        if (slot.detached || slot.endSent) return;
        slot.endSent = true;
        slot.next.end();
      },
      finish: (reason) => {
        if (slot.detached) return;
        this.#host.finish(reason);
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
    const slot = new Slot(this.#host, () => this.#host.progress(), this.#sink);
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
    this.#host.progress();
  }

  #replace(entry: Entry): void {
    const held = (entry.slot as Slot).leave();
    const slot = this.#newSlot(entry);
    entry.slot = slot;
    if (this.#closed) return;
    this.#relink();
    slot.takeOver(held);
    this.#host.progress();
  }

  /**
   * Points every active slot at the next active one (or the sink), in toxic order. With no active
   * slot the fast path takes over, unless the sink still delivers a backlog (new data queues behind it).
   */
  #relink(): void {
    if (this.#closed) return;
    const sink = this.#sink;
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
