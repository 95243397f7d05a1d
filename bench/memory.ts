/**
 * Proxy memory per idle connection. A fresh proxy process is warmed with a few short
 * connections, measured (after forced GC), then holds `count` idle connections (each has carried
 * one 64-byte echo, so both legs are up) and is measured again. The difference divided by
 * `count` is the cost of one idle connection. A fresh process each time, because memory freed by
 * an earlier batch would otherwise be reused and hide the cost from RSS.
 */
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { measureChurn, openEchoed } from './churn.js';
import { startProxy, type ProxyKind, type Targets } from './proxies.js';

/** Bytes per idle connection, from process.memoryUsage() deltas of the proxy process. */
export interface MemoryResult {
  connections: number;
  /** Resident set size (everything: V8 heap, native handles, malloc). */
  rssBytes: number;
  /** V8 heap committed (grows in steps with allocation bursts; much of RSS). */
  heapTotalBytes: number;
  /** V8 heap in use (JS objects). */
  heapUsedBytes: number;
  /** Memory of C++ objects bound to JS objects, including ArrayBuffers. */
  externalBytes: number;
}

async function waitForConnections(connections: () => Promise<number>, expected: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if ((await connections()) === expected) return;
    await sleep(10);
  }
  throw new Error(`proxy still holds ${await connections()} connections, expected ${expected}`);
}

/** Opens `count` idle connections, `concurrency` at a time. */
async function openIdle(port: number, count: number, concurrency: number): Promise<Socket[]> {
  const message = Buffer.alloc(64, 0x64);
  const sockets: Socket[] = [];
  let opened = 0;
  const worker = async (): Promise<void> => {
    while (opened < count) {
      opened++;
      sockets.push(await openEchoed(port, message));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return sockets;
}

/** Measures the memory one idle connection costs a fresh `kind` proxy. */
export async function measureIdleMemory(kind: ProxyKind, targets: Targets, count: number): Promise<MemoryResult> {
  const proxy = await startProxy(kind, targets);
  let sockets: Socket[] = [];
  try {
    await measureChurn(proxy.echo, 200, 20);
    await waitForConnections(() => proxy.connections(), 0);
    const before = await proxy.memory();
    sockets = await openIdle(proxy.echo, count, 50);
    await waitForConnections(() => proxy.connections(), count);
    const after = await proxy.memory();
    return {
      connections: count,
      rssBytes: (after.rss - before.rss) / count,
      heapTotalBytes: (after.heapTotal - before.heapTotal) / count,
      heapUsedBytes: (after.heapUsed - before.heapUsed) / count,
      externalBytes: (after.external - before.external) / count,
    };
  } finally {
    for (const socket of sockets) socket.destroy();
    await proxy.close();
  }
}
