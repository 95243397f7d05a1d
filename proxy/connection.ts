/**
 * Connection: one accepted client socket, its upstream socket and the two Links between them.
 * The client is accepted paused and resumed only once the upstream is connected; if the upstream
 * cannot be reached the client is closed at once. Half-close travels in its own direction only.
 * An error on one side is passed to the other as the same TCP event (RST for a reset).
 */
import { connect, type Socket } from 'node:net';
import type { EventBus } from './events.js';
import { Link, type LinkHost } from './link.js';
import { deriveRandom, type Random } from './random.js';
import { dataPlaneStep, type Scheduler } from './scheduler.js';
import { picks, type Stream, type Toxic } from './toxic-set.js';
import type { Clock } from './clock.js';
import type { CutMode } from '../protocol/wire.js';

/** How long a `close` cut waits for written data to flush before it destroys the sockets. */
const CUT_GRACE_MS = 2000;

/** What a Connection needs from its Proxy. */
export interface ConnectionHost {
  readonly name: string;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly seed: string;
  /** Per-link bound on held bytes (see Link). */
  readonly linkBound: number;
  readonly events: EventBus;
  toxics(stream: Stream): readonly Toxic[];
  closed(connection: Connection): void;
}

/** An upstream address to dial. */
export interface Dial {
  host: string;
  port: number;
}

/** One proxied TCP connection. */
export class Connection implements LinkHost {
  readonly id: number;
  readonly client: Socket;
  readonly upstream: Socket;
  /** Wall-clock time the client was accepted (ms since the epoch). */
  readonly openedAt = Date.now();
  up: Link | undefined;
  down: Link | undefined;

  #host: ConnectionHost;
  #state: 'connecting' | 'open' | 'cut' | 'closed' = 'connecting';
  #socketsClosed = 0;
  #reason: string | undefined;
  #endReason: string | undefined;
  #graceTimer: unknown;
  #clientAddress: string | undefined;
  /** Per-toxic state of this connection, keyed by the toxic's `state` (kept across updates, new when re-added). */
  #shared = new WeakMap<object, object>();

  constructor(id: number, client: Socket, dial: Dial, host: ConnectionHost) {
    dataPlaneStep();
    this.id = id;
    this.client = client;
    this.#host = host;
    this.upstream = connect({ host: dial.host, port: dial.port, allowHalfOpen: true, noDelay: true });
    // 'connect' and 'close' come once each: plain listeners, without once()'s wrapper per socket.
    this.upstream.on('connect', this.#onConnect);
    client.on('error', this.#onClientError);
    this.upstream.on('error', this.#onUpstreamError);
    client.on('close', this.#onClose);
    this.upstream.on('close', this.#onClose);
  }

  get clock(): Clock {
    return this.#host.clock;
  }

  get scheduler(): Scheduler {
    return this.#host.scheduler;
  }

  /** `ip:port` of the client (read once, when first asked: it costs a system call). */
  get clientAddress(): string {
    this.#clientAddress ??= `${this.client.remoteAddress}:${this.client.remotePort}`;
    return this.#clientAddress;
  }

  /** `connecting` (dialling the upstream), `open`, `cut` (closing after a cut) or `closed`. */
  get state(): 'connecting' | 'open' | 'cut' | 'closed' {
    return this.#state;
  }

  random(toxic: Toxic, purpose: string): Random {
    return connectionRandom(this.#host, this.id, toxic, purpose);
  }

  selects(toxic: Toxic): boolean {
    return picks(toxic, this.id, this.client);
  }

  tripped(toxic: Toxic, detail: string): void {
    this.#host.events.emit({ type: 'fault.tripped', proxy: this.#host.name, connection: this.id, toxic: toxic.name, detail });
  }

  shared<T extends object>(toxic: Toxic, create: () => T): T {
    let state = this.#shared.get(toxic.state);
    if (state === undefined) this.#shared.set(toxic.state, (state = create()));
    return state as T;
  }

  bypassed(toxic: Toxic, reason: string): void {
    const { name, events } = this.#host;
    events.emit({ type: 'toxic.bypassed', proxy: name, connection: this.id, toxic: toxic.name, toxic_type: toxic.type, reason });
  }

  /** The Link carrying `stream`. */
  link(stream: Stream): Link | undefined {
    return stream === 'upstream' ? this.up : this.down;
  }

  /** The Links `toxic` acts on: the one of its stream, or both for a two-way toxic. */
  linksOf(toxic: Toxic): Link[] {
    const links = toxic.definition.twoWay ? [this.up, this.down] : [this.link(toxic.stream)];
    return links.filter((link) => link !== undefined);
  }

  /** Cuts the connection: `reset` sends RST both ways now; `close` flushes what was written, then FIN. */
  cut(mode: CutMode, reason: string): void {
    if (this.#state === 'cut' || this.#state === 'closed') return;
    this.#state = 'cut';
    this.#reason ??= reason;
    this.up?.close();
    this.down?.close();
    for (const socket of [this.client, this.upstream]) {
      if (mode === 'reset') resetSocket(socket);
      else if (socket.connecting) socket.destroy();
      else if (!socket.destroyed) closeGracefully(socket);
    }
    if (mode === 'close') {
      this.#graceTimer = this.clock.setTimeout(() => this.destroy(reason), CUT_GRACE_MS);
    }
  }

  /** Closes both sockets at once (proxy stopped or deleted). */
  destroy(reason: string): void {
    if (this.#state === 'closed') return;
    this.#reason ??= reason;
    this.up?.close();
    this.down?.close();
    this.client.destroy();
    this.upstream.destroy();
  }

  #onConnect = (): void => {
    dataPlaneStep();
    if (this.#state !== 'connecting') return;
    this.#state = 'open';
    const { linkBound } = this.#host;
    this.up = new Link('upstream', this.client, this.upstream, this, linkBound);
    this.down = new Link('downstream', this.upstream, this.client, this, linkBound);
    if (this.#host.events.wants('connection.opened')) {
      this.#host.events.emit({ type: 'connection.opened', proxy: this.#host.name, connection: this.id, client: this.clientAddress });
    }
    for (const toxic of this.#host.toxics('upstream')) for (const link of this.linksOf(toxic)) link.addToxic(toxic);
    for (const toxic of this.#host.toxics('downstream')) for (const link of this.linksOf(toxic)) link.addToxic(toxic);
    if (this.#state === 'open') this.client.resume();
  };

  drained(direction: 'upstream' | 'downstream'): void {
    (direction === 'upstream' ? this.down : this.up)?.progress();
  }

  sourceEnded(direction: 'upstream' | 'downstream'): void {
    this.#endReason ??= direction === 'upstream' ? 'client closed' : 'upstream closed';
  }

  #onClientError = (err: NodeJS.ErrnoException): void => {
    dataPlaneStep();
    this.#reason ??= `client error (${err.code ?? err.message})`;
    this.#passOn(err, this.upstream);
  };

  #onUpstreamError = (err: NodeJS.ErrnoException): void => {
    dataPlaneStep();
    const code = err.code ?? err.message;
    if (this.#state === 'connecting') {
      this.#reason ??= `upstream unreachable (${code})`;
      this.#host.events.emit({ type: 'connection.failed', proxy: this.#host.name, client: this.clientAddress, error: code });
    } else {
      this.#reason ??= `upstream error (${code})`;
    }
    this.#passOn(err, this.client);
  };

  /** An error on one side reaches the other as the same TCP event: a reset as RST, anything else as a close. */
  #passOn(err: NodeJS.ErrnoException, peer: Socket): void {
    if (err.code === 'ECONNRESET') resetSocket(peer);
    else peer.destroy();
  }

  #onClose = (): void => {
    dataPlaneStep();
    if (++this.#socketsClosed === 2) this.#finalize();
  };

  #finalize(): void {
    const wasOpen = this.up !== undefined;
    this.#state = 'closed';
    if (this.#graceTimer !== undefined) this.clock.clearTimeout(this.#graceTimer);
    this.up?.close(true);
    this.down?.close(true);
    if (wasOpen && this.#host.events.wants('connection.closed')) {
      this.#host.events.emit({
        type: 'connection.closed',
        proxy: this.#host.name,
        connection: this.id,
        reason: this.#reason ?? this.#endReason ?? 'closed',
        bytes_up: this.up?.bytesOut ?? 0,
        bytes_down: this.down?.bytesOut ?? 0,
      });
    }
    this.#host.closed(this);
  }
}

/** The seeded generator of connection `id` for `toxic`; `purpose` separates independent draws. */
export function connectionRandom(host: ConnectionHost, id: number, toxic: Toxic, purpose: string): Random {
  return deriveRandom(host.seed, host.name, id, toxic.stream, toxic.name, purpose);
}

/**
 * Sends RST and closes. A socket that is connecting, or whose FIN is already queued (end() called,
 * shutdown pending), is destroyed instead: libuv refuses a reset during a pending shutdown (EINVAL)
 * and Node 20 then drops the handle without closing it, leaking the descriptor.
 */
function resetSocket(socket: Socket): void {
  if (socket.destroyed) return;
  if (socket.connecting || socket.writableEnded) socket.destroy();
  else socket.resetAndDestroy();
}

/** end() then destroy once written data has flushed (Node's destroySoon, which is undocumented). */
function closeGracefully(socket: Socket): void {
  socket.pause();
  if (socket.writableFinished) {
    socket.destroy();
    return;
  }
  socket.once('finish', () => socket.destroy());
  socket.end();
}
