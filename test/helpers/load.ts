/**
 * A load generator in a child process, so the process under test carries only the proxy's work:
 * sink and stalled upstreams, producers that write as fast as the proxy takes data, and clients
 * that reconnect as soon as they are closed. Killed at teardown.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { Teardown } from './net.js';

// Plain JavaScript run with `node -e`, so the child starts in milliseconds.
const SCRIPT = `
const net = require('node:net');
const chunk = Buffer.alloc(64 * 1024, 0x5a);
const serve = (onSocket) => new Promise((resolve) => {
  const server = net.createServer((s) => { s.on('error', () => {}); onSocket(s); });
  server.listen(0, '127.0.0.1', () => resolve(server.address().port));
});
const dial = (port) => new Promise((resolve) => {
  const s = net.connect({ host: '127.0.0.1', port, noDelay: true });
  s.on('error', () => {});
  s.once('connect', () => resolve(s));
  s.once('close', () => resolve(s));
});
const produce = async (port, count, rate) => {
  const sockets = await Promise.all(Array.from({ length: count }, () => dial(port)));
  for (const s of sockets) s.resume();
  if (rate === 0) {
    for (const s of sockets) {
      const pump = () => { while (!s.destroyed && s.write(chunk)); };
      s.on('drain', pump);
      pump();
    }
    return;
  }
  // Paced: each socket writes one 64 KiB chunk per period, the sockets spread over the period.
  const period = (chunk.length / rate) * 1000;
  for (const s of sockets) {
    setTimeout(() => {
      const timer = setInterval(() => {
        if (s.destroyed) clearInterval(timer);
        else if (s.writableLength === 0) s.write(chunk);
      }, period);
    }, Math.random() * period);
  }
};
const reconnect = (port, count) => {
  const loop = () => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.on('error', () => {});
    s.once('connect', () => s.write('hello?'));
    s.once('close', () => setImmediate(loop));
  };
  for (let i = 0; i < count; i++) loop();
};
const ops = {
  sink: () => serve((s) => s.resume()),
  stalled: () => serve((s) => s.pause()),
  produce: (m) => produce(m.port, m.count, m.rate),
  reconnect: (m) => reconnect(m.port, m.count),
};
process.on('message', async (m) => process.send({ id: m.id, result: await ops[m.op](m) }));
process.on('disconnect', () => process.exit(0));
`;

/** Operations of the load generator; each resolves once the child has done it. */
export interface LoadGenerator {
  /** An upstream that reads and discards everything; resolves with its port. */
  sink(): Promise<number>;
  /** An upstream that accepts and never reads; resolves with its port. */
  stalled(): Promise<number>;
  /**
   * Opens `count` connections to `port`, each writing 64 KiB chunks: `rate` bytes per second, or
   * as fast as the proxy takes them when `rate` is 0.
   */
  produce(port: number, count: number, rate?: number): Promise<void>;
  /** Starts `count` clients that connect to `port`, write, and reconnect whenever closed. */
  reconnect(port: number, count: number): Promise<void>;
}

/** Starts a load generator process, killed at teardown. */
export async function loadGenerator(t: Teardown): Promise<LoadGenerator> {
  const child: ChildProcess = spawn(process.execPath, ['-e', SCRIPT], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  t.teardown(() => {
    child.kill();
  });
  await once(child, 'spawn');
  const pending = new Map<number, (result: unknown) => void>();
  let nextId = 1;
  child.on('message', (m: { id: number; result: unknown }) => pending.get(m.id)?.(m.result));
  const run = <T>(op: string, args: object = {}): Promise<T> =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, (result) => resolve(result as T));
      child.send({ id, op, ...args });
    });
  return {
    sink: () => run<number>('sink'),
    stalled: () => run<number>('stalled'),
    produce: (port, count, rate = 0) => run<void>('produce', { port, count, rate }),
    reconnect: (port, count) => run<void>('reconnect', { port, count }),
  };
}
