/**
 * tcp probes. TcpProbe keeps one connection and speaks the framed protocol of frame.ts: each
 * attempt sends one frame and waits for the ack with the same seq and id, checksum verified. A
 * broken connection is replaced on the next attempt (the reconnect is part of it); after a
 * timeout the connection is kept, as most clients do, and a late ack is ignored by its seq.
 * ConnectProbe is for any TCP service: each attempt opens a fresh connection.
 */
import { connect, type Socket } from 'node:net';
import { createFrameDecoder, encodeFrame, type Frame } from '../frame.js';
import {
  errorKind,
  ProbeError,
  remaining,
  SocketProbe,
  type SocketWatch,
  withDeadline,
  type Attempt,
  type Operation,
  type Probe,
} from './probe.js';

/** Where a tcp probe connects. */
export interface TcpTarget {
  readonly host: string;
  readonly port: number;
  readonly label?: string;
}

/** Opens a connection (watched by `watch`), failing with the socket's error or a timeout at `deadline`. */
function dial(target: TcpTarget, deadline: number, watch: SocketWatch): Promise<Socket> {
  const socket = connect({ host: target.host, port: target.port, noDelay: true });
  watch.watch(socket);
  return withDeadline(
    new Promise<Socket>((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('error', reject);
    }),
    deadline,
  ).catch((err: unknown) => {
    socket.destroy();
    throw err;
  });
}

function failed(err: unknown, start: number): Attempt {
  return { ok: false, error: errorKind(err), start, end: performance.now() };
}

interface Waiter {
  resolve(frame: Frame): void;
  reject(err: unknown): void;
}

/** One framed connection: acks are matched to waiters by seq; any ending fails them all. */
class FrameConnection {
  readonly socket: Socket;
  broken: unknown;
  #waiters = new Map<number, Waiter>();

  constructor(socket: Socket) {
    this.socket = socket;
    const decoder = createFrameDecoder();
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const { frame, intact } of decoder.push(chunk)) {
          const waiter = this.#waiters.get(frame.seq);
          this.#waiters.delete(frame.seq);
          if (intact) waiter?.resolve(frame);
          else waiter?.reject(new ProbeError('checksum', `ack ${frame.seq} failed its checksum`));
        }
      } catch (err) {
        this.#break(new ProbeError('protocol', (err as Error).message));
        socket.destroy();
      }
    });
    socket.on('error', (err) => this.#break(err));
    socket.on('end', () => this.#break(new ProbeError('closed')));
    socket.on('close', () => this.#break(new ProbeError('closed')));
  }

  request(frame: Frame, deadline: number): Promise<Frame> {
    const reply = new Promise<Frame>((resolve, reject) => this.#waiters.set(frame.seq, { resolve, reject }));
    this.socket.write(encodeFrame(frame));
    return withDeadline(reply, deadline).finally(() => this.#waiters.delete(frame.seq));
  }

  #break(err: unknown): void {
    this.broken ??= err;
    for (const waiter of this.#waiters.values()) waiter.reject(this.broken);
    this.#waiters.clear();
  }
}

/** The framed tcp probe (against the echo upstream, through the proxy). */
export class TcpProbe extends SocketProbe implements Probe {
  readonly kind = 'tcp';
  readonly label: string;
  #target: TcpTarget;
  #connection: FrameConnection | undefined;
  #seq = 0;

  constructor(target: TcpTarget) {
    super();
    this.#target = target;
    this.label = target.label ?? `tcp → ${target.host}:${target.port}`;
  }

  /** Connects now (a failure is thrown; the next send tries again). */
  async open(): Promise<void> {
    this.#connection = new FrameConnection(await dial(this.#target, performance.now() + 10_000, this.watch));
  }

  /** One frame, one ack; reconnects first if the connection broke. */
  async send(op: Operation): Promise<Attempt> {
    const start = performance.now();
    const deadline = start + op.timeoutMs;
    try {
      if (!this.#connection || this.#connection.broken !== undefined) {
        this.#connection?.socket.destroy();
        this.#connection = undefined;
        this.#connection = new FrameConnection(await dial(this.#target, deadline, this.watch));
      }
      this.#seq = (this.#seq + 1) >>> 0;
      const sent: Frame = { type: op.kind, seq: this.#seq, id: op.id, payload: op.kind === 'write' ? op.payload : '' };
      const ack = await this.#connection.request(sent, deadline);
      const end = performance.now();
      if (ack.id !== op.id) return { ok: false, error: 'mismatch', start, end };
      if (ack.type === 'error') return { ok: false, error: ack.payload === 'checksum' ? 'checksum' : `rejected: ${ack.payload}`, start, end };
      return op.kind === 'read' ? { ok: true, start, end, value: ack.payload } : { ok: true, start, end };
    } catch (err) {
      return failed(err, start);
    }
  }

  async close(): Promise<void> {
    const socket = this.#connection?.socket;
    this.#connection = undefined;
    if (!socket || socket.destroyed) return;
    await new Promise<void>((resolve) => socket.once('close', () => resolve()).destroy());
  }
}

/** A connect probe: `send` bytes (optional) and `expect` a reply containing this text ('' = any bytes). */
export interface ConnectTarget extends TcpTarget {
  readonly send?: string;
  readonly expect?: string;
  /** Without `expect`: how long the connection must stay open for the attempt to pass (default 100 ms). */
  readonly holdMs?: number;
}

/**
 * A probe for any TCP service: each attempt opens a fresh connection, optionally writes bytes and
 * waits for a reply; without an expected reply the connection must survive `holdMs` (a proxy that
 * accepts and then resets or closes is a failure, not a success).
 */
export class ConnectProbe extends SocketProbe implements Probe {
  readonly kind = 'connect';
  readonly label: string;
  #target: ConnectTarget;
  #sockets = new Set<Socket>();

  constructor(target: ConnectTarget) {
    super();
    this.#target = target;
    this.label = target.label ?? `connect → ${target.host}:${target.port}`;
  }

  async open(): Promise<void> {}

  async send(op: Operation): Promise<Attempt> {
    const start = performance.now();
    const deadline = start + op.timeoutMs;
    let socket: Socket | undefined;
    try {
      socket = await dial(this.#target, deadline, this.watch);
      this.#sockets.add(socket);
      const value = await withDeadline(this.#exchange(socket, deadline), deadline);
      return { ok: true, start, end: performance.now(), ...(value === undefined ? {} : { value }) };
    } catch (err) {
      return failed(err, start);
    } finally {
      socket?.destroy();
      if (socket) this.#sockets.delete(socket);
    }
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }

  #exchange(socket: Socket, deadline: number): Promise<string | undefined> {
    const { send, expect, holdMs = 100 } = this.#target;
    return new Promise((resolve, reject) => {
      let received = '';
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('utf8');
        if (expect !== undefined && received.includes(expect)) resolve(received);
      });
      socket.once('error', reject);
      socket.once('end', () => reject(new ProbeError('closed')));
      if (send !== undefined) socket.write(send);
      if (expect === undefined) setTimeout(() => resolve(undefined), Math.min(holdMs, remaining(deadline))).unref();
    });
  }
}
