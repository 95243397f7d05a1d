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

/** An echo server that honours half-close (echoes everything, then ends). */
export function echoServer(t: Teardown): Promise<number> {
  return listen(
    t,
    createServer({ allowHalfOpen: true }, (s) => {
      s.on('error', () => undefined);
      s.pipe(s);
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
