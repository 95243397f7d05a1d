/**
 * Child process of the API-latency benchmark: one faultline server, alone in its process, and the
 * probes of its data-plane thread. `process.argv[2]` is the design measured: `thread` (the shipped
 * one: the API's HTTP served from a worker thread, requests answered between two data-plane
 * callbacks) or `in-loop` (`apiThread: false`: fastify's server on the data plane's thread,
 * requests answered after the turn of socket callbacks in progress).
 */
import { startServer } from '../proxy/api/server.js';
import { startProbes, type LoopReading } from './api-probes.js';
import { serve } from './child-rpc.js';

/** The designs the benchmark can compare. */
export type Variant = 'in-loop' | 'thread';

const variant = process.argv[2] as Variant;
const server = await startServer({ port: 0, seed: 'bench', apiThread: variant === 'thread' });
const probes = startProbes(server.registry);
serve({
  url: () => server.url,
  reset: async () => probes.reset(),
  read: async () => probes.read() as LoopReading,
  connections: async () => probes.connections() as number,
});
