/**
 * The toxic contract. A toxic type is a ToxicDefinition: its wire name, its attribute schema (every
 * attribute with its default, so the wire shape is always complete) and a factory that builds the
 * Stage applying it to one Link. A Stage sits between two chunks of a stream: it receives chunks
 * and the end of the stream, and passes them on through its StageContext, now or later, changed or
 * not. Stages never touch sockets; they ask the context to cut the connection.
 */
import type { z } from 'zod';
import type { CutMode } from '../../protocol/wire.js';
import type { Clock } from '../clock.js';
import type { Random } from '../random.js';
import type { Scheduler } from '../scheduler.js';

/**
 * One socket read travelling down a Link. `receivedAt` is when it reached the current stage's
 * place in the chain: it is reset when a chunk moves on to the next stage, and kept when a stage
 * is replaced by an update, so time already waited there still counts.
 */
export interface Chunk {
  data: Buffer;
  receivedAt: number;
}


/** What a stage may do with its link. */
export interface StageContext {
  readonly clock: Clock;
  /** Shares the event loop: a stage emitting a backlog does it through a Pump, which asks this. */
  readonly scheduler: Scheduler;
  /** Uniform [0, 1) numbers from the generator of this link and toxic (seeded). */
  readonly random: Random;
  /** Passes a chunk to the next stage (or the destination socket). */
  push(chunk: Chunk): void;
  /** Bytes written to this link's destination socket and not yet taken by the kernel, once over its high-water mark (else 0). */
  backlog(): number;
  /** Says the stage's `held` went down without a push (e.g. another link took bytes it held), so the link may read again. */
  released(): void;
  /** Passes the end of the stream on (FIN once it reaches the destination). */
  end(): void;
  /** Ends the stream here and closes the whole connection once that end reaches the destination. */
  finish(reason: string): void;
  /** Cuts the whole connection now; held data is discarded. */
  cut(mode: CutMode, reason: string): void;
  /** Reports that the toxic did something worth an event (a flaky trip, a reset). */
  tripped(detail: string): void;
  /** The direction of this stage's link (a two-way toxic has a stage on each). */
  readonly direction: 'upstream' | 'downstream';
  /** The state this toxic keeps for this connection (made by `create` on first use), shared by its stages on both links. */
  shared<T extends object>(create: () => T): T;
  /** Reports that the toxic passes this connection through untouched (a `toxic.bypassed` warning event). */
  bypassed(reason: string): void;
}

/** What a stage hands back when it leaves a live link: held chunks (oldest first) and a pending end. */
export interface Held {
  chunks: Chunk[];
  ended: boolean;
}

/**
 * A toxic applied to one link. Only `write` is required; the rest default to what a stage that
 * holds nothing does: `held` 0, `end` passes the end on, `detach` hands back nothing.
 */
export interface Stage<A extends object = object> {
  /** Bytes held right now (they count against the link's buffer bound). */
  readonly held?: number;
  write(chunk: Chunk): void;
  end?(): void;
  /** Stops the stage: cancels its timers and hands back what it held. */
  detach?(): Held;
  /** Applies new attributes in place, keeping per-link state. Without it, the stage is replaced. */
  update?(attributes: A): void;
}

/** What a stage that held nothing hands back. */
export const NOTHING_HELD: Readonly<Held> = Object.freeze({ chunks: [], ended: false });

/** A toxic type: wire name, attribute schema and stage factory. */
export interface ToxicDefinition<A extends object = object, S extends object = object> {
  readonly type: string;
  /** One line for the README's fault table and `--help`. */
  readonly summary: string;
  readonly attributes: z.ZodType<A>;
  /**
   * The toxic acts on both links of a connection whatever its `stream` (the HTTP toxics: requests
   * one way, responses the other): a stage is made on each, and they meet through `ctx.shared`.
   */
  readonly twoWay?: boolean;
  /** Removing this toxic from a live link closes the connection (Toxiproxy's `timeout`). */
  readonly closesOnRemove?: boolean;
  /** A new connection this toxic is active on is cut this way right after accept, never dialled. */
  cutOnAccept?(attributes: A): CutMode;
  /** State shared by every link of the toxic (kept across updates), e.g. flaky's burst chain. */
  createState?(): S;
  create(attributes: A, ctx: StageContext, state: S): Stage<A>;
}

/** A toxic definition, its attribute type inferred from its schema (so its stage's `update` is typed). */
export function defineToxic<A extends object, S extends object = object>(definition: ToxicDefinition<A, S>): ToxicDefinition<A, S> {
  return definition;
}

/** A stage that passes everything on at once (the base of simple toxics). */
export function passThrough(ctx: StageContext): Stage {
  return { write: (chunk) => ctx.push(chunk) };
}
