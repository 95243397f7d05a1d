/**
 * Child process of the API-latency benchmark holding the traffic: upstream servers (a sink that
 * discards, an echo) and clients, so the proxy process carries only the proxy's work. Floods write
 * 64 KiB chunks as fast as the proxy takes them; streams write a fixed rate in small writes. Every
 * client reconnects when the proxy cuts it (drop, reset_peer, limit_data, flaky, timeout removal).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { serve } from './child-rpc.js';

const servers = new Set<Server>();
const sockets = new Set<Socket>();
const counts = { connects: 0, written: 0 };
let stopped = false;

function track(socket: Socket): Socket {
  sockets.add(socket);
  socket.on('error', () => undefined);
  socket.once('close', () => sockets.delete(socket));
  return socket;
}

function listen(onSocket: (s: Socket) => void): Promise<number> {
  const server = createServer({ allowHalfOpen: false }, (s) => onSocket(track(s)));
  servers.add(server);
  return new Promise((resolve) =>
    server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, () => resolve((server.address() as { port: number }).port)),
  );
}

/** Opens a client of `port` that `run`s once connected and reconnects `retryMs` after each close. */
function client(port: number, retryMs: number, run: (s: Socket) => void): void {
  const socket = track(connect({ host: '127.0.0.1', port, noDelay: true }));
  socket.once('connect', () => {
    counts.connects++;
    run(socket);
  });
  socket.resume();
  socket.once('close', () => {
    if (!stopped) setTimeout(() => client(port, retryMs, run), retryMs);
  });
}

const flood = (m: { port: number; count: number }): void => {
  const chunk = Buffer.alloc(64 * 1024, 0x5a);
  for (let i = 0; i < m.count; i++) {
    client(m.port, 10, (s) => {
      const pump = (): void => {
        while (!stopped && !s.destroyed && s.write(chunk)) counts.written += chunk.length;
      };
      s.on('drain', pump);
      pump();
    });
  }
};

let streamTimer: NodeJS.Timeout | undefined;
const streaming: Socket[] = [];

const stream = (m: { port: number; count: number; rate: number; periodMs: number }): void => {
  const bytes = Math.max(1, Math.round((m.rate * m.periodMs) / 1000));
  const chunk = Buffer.alloc(bytes, 0x61);
  for (let i = 0; i < m.count; i++) {
    setTimeout(() => client(m.port, 100 + Math.random() * 900, (s) => streaming.push(s)), Math.random() * 1000);
  }
  // Every tick writes for the clients whose slot it is, so writes spread evenly over the period.
  const tickMs = 10;
  const slots = Math.max(1, Math.round(m.periodMs / tickMs));
  let tick = 0;
  streamTimer = setInterval(() => {
    const slot = tick++ % slots;
    for (let i = streaming.length - 1; i >= 0; i--) {
      const s = streaming[i] as Socket;
      if (s.destroyed) streaming.splice(i, 1);
      else if (i % slots === slot && s.writableLength < 64 * 1024) {
        s.write(chunk);
        counts.written += bytes;
      }
    }
  }, tickMs);
};

/** A port on 127.0.0.1 nobody listens on (bound, then released): dialling it is refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

serve({
  sink: () => listen((s) => s.resume()),
  stalled: () => listen((s) => s.pause()),
  closedPort,
  echo: () =>
    listen((s) => {
      s.on('data', (data: Buffer) => {
        if (!s.write(data)) {
          s.pause();
          s.once('drain', () => s.resume());
        }
      });
    }),
  flood,
  stream,
  counts: () => ({ ...counts, open: sockets.size }),
  stop: async () => {
    stopped = true;
    clearInterval(streamTimer);
    for (const s of sockets) s.destroy();
    await Promise.all([...servers].map((s) => new Promise((r) => s.close(r))));
  },
});
