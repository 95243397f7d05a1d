/**
 * The proxy under test in a process of its own: the built server (dist/, `npm test` and `npm run
 * soak` build first) started with startServer on a free port, plus probes over IPC that only the
 * process itself can read: heap, active handles, event-loop delay, GC pauses, and the bytes each
 * Link holds. RSS and file descriptors are read from outside (/proc) by the caller.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Teardown } from '../../helpers/net.js';
import { rpc } from './rpc.js';

const DIST = pathToFileURL(fileURLToPath(new URL('../../../dist/index.js', import.meta.url))).href;

// Plain JavaScript (an ES module run with `node -e`): the process carries the proxy and nothing else.
const SCRIPT = `
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
const { startServer } = await import(process.env.FAULTLINE_SOAK_DIST);
const server = await startServer({ port: 0, seed: 'soak' });
const loop = monitorEventLoopDelay({ resolution: 2 });
loop.enable();
let gc = { count: 0, totalMs: 0, maxMs: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) { gc.count++; gc.totalMs += e.duration; gc.maxMs = Math.max(gc.maxMs, e.duration); }
}).observe({ entryTypes: ['gc'] });
let held = {};
let sampler;
const sample = () => {
  for (const proxy of server.registry.list()) {
    const h = held[proxy.name] ??= { maxLink: 0, maxTotal: 0, maxLinks: 0, samples: 0 };
    let total = 0, links = 0;
    for (const c of proxy.connections) for (const link of [c.up, c.down]) {
      if (!link) continue;
      const bytes = link.held;
      links++; total += bytes;
      if (bytes > h.maxLink) h.maxLink = bytes;
    }
    if (total > h.maxTotal) h.maxTotal = total;
    if (links > h.maxLinks) h.maxLinks = links;
    h.samples++;
  }
};
const connections = () => server.registry.list().reduce((n, p) => n + p.connections.length, 0);
const handles = () => {
  const counts = {};
  for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
};
const stats = () => ({ memory: process.memoryUsage(), handles: handles(), connections: connections() });
const ns = (v) => v / 1e6;
const ops = {
  stats,
  gc: async () => {
    for (let i = 0; i < 3; i++) { globalThis.gc(); await new Promise((r) => setImmediate(r)); }
    return stats();
  },
  loopReset: () => { loop.reset(); gc = { count: 0, totalMs: 0, maxMs: 0 }; },
  loop: () => ({
    p50: ns(loop.percentile(50)), p99: ns(loop.percentile(99)), max: ns(loop.max), mean: ns(loop.mean), gc,
  }),
  heldStart: (m) => { held = {}; sampler = setInterval(sample, m.everyMs); },
  heldStop: () => { clearInterval(sampler); sampler = undefined; sample(); return held; },
};
process.on('message', async (m) => {
  try { process.send({ id: m.id, result: (await ops[m.op](m)) ?? null }); }
  catch (err) { process.send({ id: m.id, error: String(err && err.stack || err) }); }
});
process.on('disconnect', () => {
  setTimeout(() => process.exit(0), 3000).unref();
  server.close().finally(() => process.exit(0));
});
process.send({ ready: server.url });
`;

/** Node's process.memoryUsage() of the proxy process. */
export interface Memory {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/** What the proxy process reports about itself. */
export interface ProxyStats {
  memory: Memory;
  /** process.getActiveResourcesInfo(), counted by type (TCPSocketWrap, TCPServerWrap, Timeout, ...). */
  handles: Record<string, number>;
  /** Live connections over every proxy. */
  connections: number;
}

/** Event-loop delay (ms) since the last reset, and GC pauses (ms) in that time. */
export interface LoopStats {
  p50: number;
  p99: number;
  max: number;
  mean: number;
  gc: { count: number; totalMs: number; maxMs: number };
}

/** The largest bytes held by one link, by all links of a proxy at once, and the most links seen. */
export interface Held {
  maxLink: number;
  maxTotal: number;
  maxLinks: number;
  samples: number;
}

/** The proxy process and its probes. */
export interface ProxyProcess {
  readonly url: string;
  readonly pid: number;
  stats(): Promise<ProxyStats>;
  /** Runs a full GC (three passes) and then reports. */
  gc(): Promise<ProxyStats>;
  loopReset(): Promise<void>;
  loop(): Promise<LoopStats>;
  /** Starts sampling every link's held bytes every `everyMs`. */
  heldStart(everyMs: number): Promise<void>;
  /** Stops sampling; the maxima per proxy name. */
  heldStop(): Promise<Record<string, Held>>;
}

/** Starts the proxy process (with --expose-gc); killed at teardown. */
export async function proxyProcess(t: Teardown): Promise<ProxyProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, FAULTLINE_SOAK_DIST: DIST };
  delete env['NODE_OPTIONS'];
  const child = spawn(process.execPath, ['--expose-gc', '--input-type=module', '-e', SCRIPT], {
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = once(child, 'exit');
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  const [ready] = (await Promise.race([once(child, 'message'), exited.then(() => [{}])])) as [{ ready?: string }];
  if (ready.ready === undefined) throw new Error('the proxy process exited before it was ready');
  const call = rpc(child);
  return {
    url: ready.ready,
    pid: child.pid as number,
    stats: () => call<ProxyStats>('stats'),
    gc: () => call<ProxyStats>('gc'),
    loopReset: () => call<void>('loopReset'),
    loop: () => call<LoopStats>('loop'),
    heldStart: (everyMs) => call<void>('heldStart', { everyMs }),
    heldStop: () => call<Record<string, Held>>('heldStop'),
  };
}
