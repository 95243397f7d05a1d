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
import type { LinkHost } from './link.js';
import { Sink, Slot, type Receiver, type ReceiverOwner, type SinkTarget } from './receiver.js';
import type { Toxic } from './toxic-set.js';
import type { StageContext } from './toxics/toxic.js';

/** What a Chain needs from its Link: the destination (SinkTarget) and word of its progress. */
export interface ChainOwner extends SinkTarget {
  readonly direction: 'upstream' | 'downstream';
  /** Bytes in the destination socket's write buffer, once it waits for 'drain' (else 0). */
  readonly backlog: number;
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
export class Chain implements ReceiverOwner {
  #host: LinkHost;
  #link: ChainOwner;
  #entries: Entry[] = [];
  #sink: Sink;
  #head: Receiver | undefined;
  #closed = false;

  constructor(host: LinkHost, link: ChainOwner) {
    this.#host = host;
    this.#link = link;
    this.#sink = new Sink(host, this, link);
  }

  /** The first receiver; undefined when data may go straight to the destination. */
  get head(): Receiver | undefined {
    return this.#head;
  }

  /** Bytes held by the stages and the backlogs they handed over. */
  get held(): number {
    let held = this.#sink.backlog;
    for (const entry of this.#entries) if (entry.slot) held += (entry.slot.stage.held ?? 0) + entry.slot.backlog;
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

  /** A receiver delivered a backlog it took over; the sink's being out may restore the fast path. */
  delivered(receiver: Receiver): void {
    if (receiver === this.#sink) this.#relink();
    this.#link.progress();
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

  /** Whether the toxic of `entry` is active on this link: picked by its selector, then drawn in by its toxicity (seeded; drawn only when it can matter). */
  #selected(entry: Entry): boolean {
    const { toxicity } = entry.toxic;
    if (!this.#host.selects(entry.toxic)) return false;
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
        this.#link.progress();
      },
      released: () => this.#link.progress(),
      backlog: () => this.#link.backlog,
      end: () => {
        if (slot.detached || slot.endSent) return;
        slot.endSent = true;
        slot.next.end();
      },
      finish: (reason) => {
        if (slot.detached) return;
        this.#link.finish(reason);
        if (!slot.endSent) {
          slot.endSent = true;
          slot.next.end();
        }
      },
      cut: (mode, reason) => {
        if (!slot.detached) this.#host.cut(mode, reason);
      },
      tripped: (detail) => this.#host.tripped(entry.toxic, detail),
      direction: this.#link.direction,
      shared: (create) => this.#host.shared(entry.toxic, create),
      bypassed: (reason) => this.#host.bypassed(entry.toxic, reason),
    };
  }

  #newSlot(entry: Entry): Slot {
    const slot = new Slot(this.#host, this, this.#sink);
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
    this.#link.progress();
  }

  #replace(entry: Entry): void {
    const held = (entry.slot as Slot).leave();
    const slot = this.#newSlot(entry);
    entry.slot = slot;
    if (this.#closed) return;
    this.#relink();
    slot.takeOver(held);
    this.#link.progress();
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
