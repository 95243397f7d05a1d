/**
 * Child process of the API-latency benchmark: one faultline server, alone in its process, and the
 * probes of its data-plane thread. `process.argv[2]` is the design measured: `in-loop` (the shipped
 * one: API and data plane share one event loop, the data plane's work bounded per turn) or `thread`
 * (the prototype in api-thread.ts: the API's HTTP server on the main thread, the data plane in a
 * worker thread).
 */
import { startServer } from '../proxy/api/server.js';
import { startProbes, type LoopReading } from './api-probes.js';
import { startThreaded } from './api-thread.js';
import { serve } from './child-rpc.js';

/** The designs the benchmark can compare. */
export type Variant = 'in-loop' | 'thread';

const variant = process.argv[2] as Variant;

async function start(): Promise<{ url: string; probe<T>(name: 'reset' | 'read' | 'connections'): Promise<T> }> {
  if (variant === 'thread') return startThreaded('bench');
  const server = await startServer({ port: 0, seed: 'bench' });
  const probes = startProbes(server.registry);
  return { url: server.url, probe: async <T>(name: 'reset' | 'read' | 'connections') => probes[name]() as T };
}

const server = await start();
serve({
  url: () => server.url,
  reset: () => server.probe<void>('reset'),
  read: () => server.probe<LoopReading>('read'),
  connections: () => server.probe<number>('connections'),
});
