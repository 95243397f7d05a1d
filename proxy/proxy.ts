/**
 * Proxy: a named listener, the upstream it dials per connection, its toxics and its live
 * Connections.
 *
 *   client ──► listen (net.Server, pauseOnConnect) ──► Connection ──► dial upstream
 *                                                       ├─ Link upstream   (client → server)
 *                                                       └─ Link downstream (server → client)
 *
 * Disabling closes the listener (new clients get ECONNREFUSED) and every live connection;
 * enabling listens again on the stored address (after a start, the real bound address).
 * Toxic changes apply to the stored set and to every live connection at once.
 */
import type { Socket } from 'node:net';
import { cutOnAccept, ignore, upstreamDial } from './accept.js';
import { Connection, type ConnectionHost, type Dial } from './connection.js';
import { FaultlineError } from './errors.js';
import type { EventBus } from './events.js';
import { bindListener, closeListener, type Listener } from './listener.js';
import type { Scheduler } from './scheduler.js';
import { ToxicSet, toxicToJson, type Stream, type Toxic, type ToxicInput, type ToxicPatch } from './toxic-set.js';
import type { Clock } from './clock.js';
import type { CutMode } from '../protocol/wire.js';

/** Settings every proxy of a server shares. */
export interface ProxyOptions {
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly seed: string;
  readonly linkBound: number;
  readonly events: EventBus;
  /** Reject unknown toxic attributes instead of ignoring them (with a warning event). */
  readonly strict: boolean;
}

/** Byte totals of connections that have closed, kept so counters never go backwards. */
interface ClosedTotals {
  upIn: number;
  upOut: number;
  downIn: number;
  downOut: number;
  accepted: number;
}

/** A named TCP proxy. */
export class Proxy implements ConnectionHost {
  readonly name: string;
  readonly toxicSet: ToxicSet;
  readonly totals: ClosedTotals = { upIn: 0, upOut: 0, downIn: 0, downOut: 0, accepted: 0 };
  #listen: string;
  #upstream: string;
  #dial: Dial | null | undefined;
  #enabled = false;
  #listener: Listener | undefined;
  /** The listener's close, once asked for: resolves when every client it accepted has closed. */
  #closing: Promise<void> | undefined;
  #connections = new Map<number, Connection>();
  #nextId = 1;
  #options: ProxyOptions;

  constructor(name: string, listen: string, upstream: string, options: ProxyOptions) {
    this.name = name;
    this.#listen = listen;
    this.#upstream = upstream;
    this.#options = options;
    this.toxicSet = new ToxicSet(options.strict);
  }

  get clock(): Clock {
    return this.#options.clock;
  }

  get scheduler(): Scheduler {
    return this.#options.scheduler;
  }

  get seed(): string {
    return this.#options.seed;
  }

  get linkBound(): number {
    return this.#options.linkBound;
  }

  get events(): EventBus {
    return this.#options.events;
  }

  /** The stored listen address: the real bound one while enabled, verbatim while disabled. */
  get listen(): string {
    return this.#listen;
  }

  get upstream(): string {
    return this.#upstream;
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  /** Live connections (including ones still dialling their upstream), oldest first. */
  get connections(): Connection[] {
    return [...this.#connections.values()];
  }

  /** Changes listen and upstream while stopped (the Registry stops the proxy first). */
  configure(listen: string, upstream: string): void {
    if (this.#enabled) throw new Error('configure() needs a stopped proxy');
    this.#listen = listen;
    this.#upstream = upstream;
    this.#dial = undefined;
  }

  /** Binds `listen` for this proxy without taking it into use (see install); throws ERR_LISTEN. */
  bind(listen: string): Promise<Listener> {
    return bindListener(listen, this.#accept, this.#acceptError);
  }

  /** Takes a bound listener into use: the proxy is enabled, `listen` is the real bound address. */
  install(listener: Listener): void {
    if (this.#enabled) throw new Error('install() needs a stopped proxy');
    this.#listener = listener;
    this.#closing = undefined;
    this.#enabled = true;
    this.#listen = listener.address;
  }

  /** Binds the stored listen address and takes it into use. */
  async start(): Promise<void> {
    if (!this.#enabled) this.install(await this.bind(this.#listen));
  }

  /** Closes the listener and every live connection. */
  async stop(): Promise<void> {
    if (!this.#enabled) return;
    this.#enabled = false;
    const closed = this.#closeListener();
    this.#listener = undefined;
    for (const connection of this.#connections.values()) connection.destroy('proxy disabled');
    await closed;
  }

  /** Stops accepting but keeps live connections, freeing the address for a moment; reopen() undoes it. */
  suspend(): void {
    void this.#closeListener();
  }

  /** Whether the proxy is enabled but not accepting, between suspend() and reopen(). */
  get suspended(): boolean {
    return this.#enabled && this.#closing !== undefined;
  }

  /** Listens again where suspend() stopped; if someone took the address meanwhile, the proxy stops. */
  async reopen(): Promise<void> {
    try {
      this.#listener = await this.bind(this.#listen);
      this.#closing = undefined;
    } catch {
      await this.stop();
      this.events.emit({ type: 'proxy.disabled', proxy: this.name, listen: this.#listen });
    }
  }

  /** Sends new connections to `upstream`; live ones, which go to the old one, are closed. */
  reroute(upstream: string): void {
    this.#upstream = upstream;
    this.#dial = undefined;
    for (const connection of this.#connections.values()) connection.destroy('upstream changed');
  }

  #closeListener(): Promise<void> {
    this.#closing ??= closeListener(this.#listener as Listener);
    return this.#closing;
  }

  /** The toxics of `stream`, in insertion order (what a new connection starts with). */
  toxics(stream: Stream): readonly Toxic[] {
    return this.toxicSet.forStream(stream);
  }

  /** Adds a toxic and applies it to every live connection. */
  addToxic(input: ToxicInput): Toxic {
    const toxic = this.toxicSet.add(input);
    const at = performance.now();
    for (const connection of this.#connections.values()) for (const link of connection.linksOf(toxic)) link.addToxic(toxic);
    this.events.emit({ type: 'toxic.added', proxy: this.name, toxic: toxicToJson(toxic) }, at);
    this.warnIgnored(toxic, toxic.ignored);
    return toxic;
  }

  /** Updates a toxic (attributes merge onto the old ones) on the set and every live connection. */
  updateToxic(name: string, patch: ToxicPatch): Toxic {
    const before = this.toxicSet.get(name).ignored;
    const toxic = this.toxicSet.update(name, patch);
    const at = performance.now();
    for (const connection of this.#connections.values()) for (const link of connection.linksOf(toxic)) link.updateToxic(toxic);
    this.events.emit({ type: 'toxic.updated', proxy: this.name, toxic: toxicToJson(toxic) }, at);
    this.warnIgnored(toxic, toxic.ignored.slice(before.length));
    return toxic;
  }

  /** Reports attribute names of `toxic` that its type does not know, once each (Toxiproxy ignores them silently). */
  warnIgnored(toxic: Toxic, names: readonly string[]): void {
    if (names.length === 0) return;
    this.events.emit({ type: 'toxic.unknown_attributes', proxy: this.name, toxic: toxic.name, toxic_type: toxic.type, attributes: [...names] });
  }

  /** Removes a toxic from the set and every live connection. */
  removeToxic(name: string): void {
    const toxic = this.toxicSet.remove(name);
    const at = performance.now();
    for (const connection of this.#connections.values()) for (const link of connection.linksOf(toxic)) link.removeToxic(name);
    this.events.emit({ type: 'toxic.removed', proxy: this.name, toxic: name }, at);
  }

  /** Removes every toxic. */
  removeAllToxics(): void {
    for (const toxic of this.toxicSet.list()) this.removeToxic(toxic.name);
  }

  /** Cuts one live connection (or all when `id` is undefined); new connections are left alone. */
  cut(id: number | undefined, mode: CutMode): number {
    const targets = id === undefined ? this.connections : [this.#connections.get(id)];
    if (targets[0] === undefined && id !== undefined) {
      throw new FaultlineError('ERR_CONNECTION_NOT_FOUND', `connection ${id} not found`);
    }
    for (const connection of targets) connection?.cut(mode, `cut by API (${mode})`);
    return targets.length;
  }

  closed(connection: Connection): void {
    this.#connections.delete(connection.id);
    const { totals } = this;
    totals.upIn += connection.up?.bytesIn ?? 0;
    totals.upOut += connection.up?.bytesOut ?? 0;
    totals.downIn += connection.down?.bytesIn ?? 0;
    totals.downOut += connection.down?.bytesOut ?? 0;
  }

  /** After listening, errors are accept failures (e.g. EMFILE): reported, and the listener goes on. */
  #acceptError = (err: NodeJS.ErrnoException): void => {
    this.events.emit({ type: 'proxy.error', proxy: this.name, error: err.code ?? err.message });
  };

  #accept = (client: Socket): void => {
    if (!this.#enabled) {
      client.on('error', ignore);
      client.destroy();
      return;
    }
    this.totals.accepted++;
    this.#dial ??= upstreamDial(this.#upstream);
    if (this.#dial === null) {
      // Toxiproxy never validates upstreams; an unusable one fails each dial: the client is closed.
      this.events.emit({ type: 'connection.failed', proxy: this.name, client: `${client.remoteAddress}:${client.remotePort}`, error: `invalid upstream ${JSON.stringify(this.#upstream)}` });
      client.on('error', ignore);
      client.destroy();
      return;
    }
    const id = this.#nextId++;
    if (cutOnAccept(this, id, client)) return;
    this.#connections.set(id, new Connection(id, client, this.#dial, this));
  };
}
