/** Real-socket helpers for tests: servers on 127.0.0.1 port 0, closed in teardown. */
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { Registry, type RegistryOptions } from '../../proxy/registry.js';
import type { Proxy } from '../../proxy/proxy.js';

/** The subset of a tap test these helpers use. */
export interface Teardown {
  teardown(fn: () => unknown): void;
}

/** Starts `server` on 127.0.0.1:0 and closes it (and its sockets) at teardown; returns its port. */
export async function listen(t: Teardown, server: Server): Promise<number> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return (server.address() as { port: number }).port;
}

/** An echo server that honours half-close (echoes everything, then ends); `onSocket` sees each accepted socket. */
export function echoServer(t: Teardown, onSocket: (s: Socket) => void = () => undefined): Promise<number> {
  return listen(
    t,
    createServer({ allowHalfOpen: true }, (s) => {
      s.on('error', () => undefined);
      s.pipe(s);
      onSocket(s);
    }),
  );
}

/** A server that reads and discards everything it gets. */
export function sinkServer(t: Teardown, onSocket: (s: Socket) => void = (s) => s.resume()): Promise<number> {
  return listen(
    t,
    createServer({ allowHalfOpen: true }, (s) => {
      s.on('error', () => undefined);
      onSocket(s);
    }),
  );
}

/** A registry with one proxy in front of `upstreamPort`, closed at teardown. */
export async function proxyTo(
  t: Teardown,
  upstreamPort: number,
  options: RegistryOptions = {},
): Promise<{ registry: Registry; proxy: Proxy; port: number }> {
  const registry = new Registry({ seed: 'test', ...options });
  t.teardown(() => registry.close());
  const proxy = await registry.create({ name: 'p', listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstreamPort}` });
  return { registry, proxy, port: portOf(proxy.listen) };
}

/**
 * Polls `check` every 10 ms until it holds or `ms` pass, for state no event announces (bytes a
 * proxy has read, events recorded); returns the last result. A generous `ms` costs nothing when
 * the machine is quick and keeps a loaded one from failing the test.
 */
export async function eventually(check: () => boolean, ms = 10_000): Promise<boolean> {
  for (let waited = 0; waited < ms && !check(); waited += 10) await new Promise((r) => setTimeout(r, 10));
  return check();
}

/** The port of a `host:port` address. */
export function portOf(address: string): number {
  return Number(address.slice(address.lastIndexOf(':') + 1));
}

/** Connects to 127.0.0.1:port (half-close allowed) and resolves once connected. */
export async function dial(t: Teardown, port: number): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true, noDelay: true });
  t.teardown(() => socket.destroy());
  await once(socket, 'connect');
  return socket;
}

/** Everything `socket` receives until it ends; rejects on a socket error. */
export function readAll(socket: Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  return new Promise((resolve, reject) => {
    socket.once('end', () => resolve(Buffer.concat(chunks)));
    socket.once('error', reject);
  });
}

/** Resolves with the error code that ends `socket`, or 'end' / 'close' if it ends cleanly. */
export function outcome(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    socket.once('end', () => resolve('end'));
    socket.once('close', () => resolve('close'));
  });
}

/** Reads exactly `n` bytes from `socket`. */
export function readBytes(socket: Socket, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const onData = (c: Buffer): void => {
      chunks.push(c);
      got += c.length;
      if (got >= n) {
        socket.off('data', onData);
        socket.off('error', reject);
        const all = Buffer.concat(chunks);
        if (all.length > n) socket.unshift(all.subarray(n));
        resolve(all.subarray(0, n));
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

/** Sends `data` and times until the same number of bytes came back (an echo round trip), in ms. */
export async function roundTrip(socket: Socket, data: Buffer | string): Promise<number> {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  const start = performance.now();
  const reply = readBytes(socket, buf.length);
  socket.write(buf);
  await reply;
  return performance.now() - start;
}

/** How a socket ended ('end', 'close' or the error code) and when (performance.now()). */
export interface Ending {
  how: string;
  at: number;
}

/** What a socket received and when, recorded from the moment `record` is called. */
export interface Recording {
  /** Each 'data' event's bytes, in order. */
  readonly chunks: Buffer[];
  /** performance.now() of each 'data' event. */
  readonly times: number[];
  /** Bytes received so far. */
  readonly bytes: number;
  /** Everything received so far, as one buffer. */
  data(): Buffer;
  /** Resolves with the time the `n`-th byte arrived; rejects if the socket ends before. */
  waitForBytes(n: number): Promise<number>;
  /** Settles on the first of 'error', 'end' or 'close'. */
  readonly ended: Promise<Ending>;
  /** How the socket ended, once it has. */
  readonly ending: Ending | undefined;
}

/** Records every 'data' event of `socket` with its arrival time, and how and when it ends. */
export function record(socket: Socket): Recording {
  const chunks: Buffer[] = [];
  const times: number[] = [];
  let bytes = 0;
  let ending: Ending | undefined;
  const waiters: Array<{ n: number; resolve: (at: number) => void; reject: (err: Error) => void }> = [];
  let settle!: (ending: Ending) => void;
  const ended = new Promise<Ending>((resolve) => {
    settle = resolve;
  });
  const finish = (how: string): void => {
    if (ending) return;
    ending = { how, at: performance.now() };
    settle(ending);
    for (const w of waiters.splice(0)) w.reject(new Error(`socket ended (${how}) after ${bytes} of ${w.n} bytes`));
  };
  socket.on('data', (c: Buffer) => {
    const at = performance.now();
    chunks.push(c);
    times.push(at);
    bytes += c.length;
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i] as (typeof waiters)[number];
      if (bytes >= w.n) {
        waiters.splice(i, 1);
        w.resolve(at);
      }
    }
  });
  socket.once('error', (err: NodeJS.ErrnoException) => finish(err.code ?? err.message));
  socket.once('end', () => finish('end'));
  socket.once('close', () => finish('close'));
  const arrivalOf = (n: number): number => {
    let seen = 0;
    for (let i = 0; i < chunks.length; i++) {
      seen += (chunks[i] as Buffer).length;
      if (seen >= n) return times[i] as number;
    }
    return performance.now();
  };
  return {
    chunks,
    times,
    get bytes() {
      return bytes;
    },
    data: () => Buffer.concat(chunks),
    waitForBytes: (n) => {
      if (bytes >= n) return Promise.resolve(arrivalOf(n));
      if (ending) return Promise.reject(new Error(`socket ended (${ending.how}) after ${bytes} of ${n} bytes`));
      return new Promise((resolve, reject) => waiters.push({ n, resolve, reject }));
    },
    ended,
    get ending() {
      return ending;
    },
  };
}

