/**
 * StdioSession: the two pipes of `faultline stdio` as one connection, with the data plane's own
 * Links and toxic chains over them.
 *
 *   client ──stdin──► Link upstream   (stages) ──► child stdin
 *   client ◄─stdout── Link downstream (stages) ◄── child stdout
 *
 * Its toxics are mirrored from the server (setToxics, addToxic, …): each is built with the same
 * catalog and validation as on a TCP proxy, with two stdio meanings: `blackhole` holds bytes
 * instead of discarding them (stall), and `kill` signals the child. A cut (`drop`, a disabled
 * proxy, `limit_data`'s end) closes both pipes: the client reads EOF and the child's stdin ends.
 */
import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { CutMode, ToxicJson } from '../../protocol/wire.js';
import type { Clock } from '../clock.js';
import { Link, type LinkHost } from '../link.js';
import { deriveRandom, type Random } from '../random.js';
import type { Scheduler } from '../scheduler.js';
import { buildToxic, type Stream, type Toxic } from '../toxic-set.js';
import { STDIO_DEFINITIONS, toxicDefinition } from '../toxics/catalog.js';
import type { ToxicDefinition } from '../toxics/toxic.js';

/** What a session is built from. */
export interface StdioSessionOptions {
  readonly name: string;
  readonly seed: string;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  /** Per-link bound on held bytes (see Link). */
  readonly bound: number;
  /** The client's side: what it writes (our stdin) and what it reads (our stdout). */
  readonly input: Readable;
  readonly output: Writable;
  /** The server process, its stdin and stdout piped (its stderr is the relay's). */
  readonly child: ChildProcessByStdio<Writable, Readable, null>;
  /** The session cut both pipes (`reason` names the toxic); the relay then ends the child and exits. */
  onCut(reason: string): void;
  /** A toxic did something (a kill, a cut line, a flaky trip), for the relay's one-line notes. */
  onTrip?(toxic: string, detail: string): void;
  /** A toxic was added, updated or removed here (`removed` delivered what it held). */
  onChange?(toxic: string, change: 'added' | 'updated' | 'removed'): void;
  /** A toxic from the server this relay cannot build (an unknown type): it is left out. */
  onSkipped?(toxic: ToxicJson, reason: string): void;
}

/** One relayed stdio connection (see the file comment). */
export class StdioSession implements LinkHost {
  readonly up: Link;
  readonly down: Link;
  #options: StdioSessionOptions;
  #toxics = new Map<string, Toxic>();
  #shared = new WeakMap<object, object>();
  #cut: string | undefined;

  constructor(options: StdioSessionOptions) {
    this.#options = options;
    const { input, output, child, bound } = options;
    this.up = new Link('upstream', input, child.stdin, this, bound);
    this.down = new Link('downstream', child.stdout, output, this, bound);
  }

  get clock(): Clock {
    return this.#options.clock;
  }

  get scheduler(): Scheduler {
    return this.#options.scheduler;
  }

  /** Why the session was cut, once it was. */
  get cutReason(): string | undefined {
    return this.#cut;
  }

  random(toxic: Toxic, purpose: string): Random {
    return deriveRandom(this.#options.seed, this.#options.name, 'stdio', toxic.stream, toxic.name, purpose);
  }

  /** A `clients` selector names TCP clients (addresses, connection ids): a stdio session is picked only by toxics without one. */
  selects(toxic: Toxic): boolean {
    return toxic.clients === undefined;
  }

  tripped(toxic: Toxic, detail: string): void {
    this.#options.onTrip?.(toxic.name, detail);
  }

  shared<T extends object>(toxic: Toxic, create: () => T): T {
    let state = this.#shared.get(toxic.state);
    if (state === undefined) this.#shared.set(toxic.state, (state = create()));
    return state as T;
  }

  bypassed(toxic: Toxic, reason: string): void {
    this.#options.onTrip?.(toxic.name, `passed through: ${reason}`);
  }

  drained(direction: 'upstream' | 'downstream'): void {
    (direction === 'upstream' ? this.down : this.up).progress();
  }

  sourceEnded(): void {
    // A pipe's end travels on by itself (the Link ends the other side); nothing else to do.
  }

  /** Closes both pipes: `reset` drops what is held or buffered, `close` lets written bytes flush first. */
  cut(mode: CutMode, reason: string): void {
    if (this.#cut !== undefined) return;
    this.#cut = reason;
    this.up.close();
    this.down.close();
    const { input, output, child } = this.#options;
    input.pause();
    child.stdout.pause();
    for (const stream of [output, child.stdin]) {
      if (mode === 'reset') stream.destroy();
      else stream.end();
    }
    this.#options.onCut(reason);
  }

  /** Makes this session's toxics those of `list` (the server's, in its order): adds, updates, removes. */
  setToxics(list: readonly ToxicJson[]): void {
    const names = new Set(list.map((t) => t.name));
    for (const name of [...this.#toxics.keys()]) if (!names.has(name)) this.removeToxic(name);
    for (const json of list) {
      const old = this.#toxics.get(json.name);
      if (!old) this.addToxic(json);
      else if (old.stream !== json.stream || old.type !== json.type) {
        this.removeToxic(json.name);
        this.addToxic(json);
      } else if (old.toxicity !== json.toxicity || JSON.stringify(old.attributes) !== JSON.stringify(json.attributes)) this.updateToxic(json);
    }
  }

  /** Adds a toxic as the server lists it. */
  addToxic(json: ToxicJson): void {
    if (this.#cut !== undefined || this.#toxics.has(json.name)) return;
    const toxic = this.#build(json);
    if (!toxic) return;
    this.#toxics.set(toxic.name, toxic);
    this.#link(toxic.stream).addToxic(toxic);
    this.#options.onChange?.(toxic.name, 'added');
  }

  /** Applies a toxic's new attributes or toxicity. */
  updateToxic(json: ToxicJson): void {
    if (this.#cut !== undefined || !this.#toxics.has(json.name)) return;
    const toxic = this.#build(json);
    if (!toxic) return;
    this.#toxics.set(toxic.name, toxic);
    this.#link(toxic.stream).updateToxic(toxic);
    this.#options.onChange?.(toxic.name, 'updated');
  }

  /** Removes a toxic; what it held is delivered. */
  removeToxic(name: string): void {
    const toxic = this.#toxics.get(name);
    if (!toxic) return;
    this.#toxics.delete(name);
    this.#link(toxic.stream).removeToxic(name);
    this.#options.onChange?.(name, 'removed');
  }

  #link(stream: Stream): Link {
    return stream === 'upstream' ? this.up : this.down;
  }

  /** The toxic `json` describes, with its stdio definition; undefined (reported) if it cannot be built. */
  #build(json: ToxicJson): Toxic | undefined {
    let toxic: Toxic;
    try {
      toxic = buildToxic(json, () => false, false);
    } catch (err) {
      this.#options.onSkipped?.(json, (err as Error).message);
      return undefined;
    }
    const definition = toxic.type === 'kill' ? this.#killer() : STDIO_DEFINITIONS.get(toxic.type);
    return definition ? { ...toxic, definition } : toxic;
  }

  /** `kill` over stdio: signals the child as the stage starts; data passes on until the child is gone. */
  #killer(): ToxicDefinition {
    const { child } = this.#options;
    return {
      ...(toxicDefinition('kill') as ToxicDefinition),
      cutOnAccept: undefined,
      create: (attrs, ctx) => {
        const signal = (attrs as { signal: NodeJS.Signals }).signal;
        ctx.tripped(`kill (${signal})`);
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        return { write: (chunk) => ctx.push(chunk) };
      },
    };
  }
}
