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
import diagnostics from 'node:diagnostics_channel';
const ns = (v) => v / 1e6;
const { startServer } = await import(process.env.FAULTLINE_SOAK_DIST);
const server = await startServer({ port: 0, seed: 'soak' });
const loop = monitorEventLoopDelay({ resolution: 2 });
loop.enable();
const GC_KINDS = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weakcb' };
const freshGc = () => ({ count: 0, totalMs: 0, maxMs: 0, kinds: {} });
let gc = freshGc();
let secondGcMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gc.count++; gc.totalMs += e.duration; gc.maxMs = Math.max(gc.maxMs, e.duration);
    const kind = GC_KINDS[e.detail?.kind] ?? String(e.detail?.kind);
    const k = gc.kinds[kind] ??= { count: 0, totalMs: 0, maxMs: 0 };
    k.count++; k.totalMs += e.duration; k.maxMs = Math.max(k.maxMs, e.duration);
    secondGcMs += e.duration;
  }
}).observe({ entryTypes: ['gc'] });
const second = monitorEventLoopDelay({ resolution: 2 });
second.enable();
let origin = performance.now();
let timeline = [];
setInterval(() => {
  timeline.push({ at: Math.round(performance.now() - origin), max: ns(second.max), gcMs: secondGcMs });
  second.reset();
  secondGcMs = 0;
}, 1000).unref();
const requestStart = new WeakMap();
let served = [];
diagnostics.subscribe('http.server.request.start', ({ request }) => requestStart.set(request, performance.now()));
diagnostics.subscribe('http.server.response.finish', ({ request }) => {
  const start = requestStart.get(request);
  if (start !== undefined) served.push(performance.now() - start);
});
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
const ops = {
  stats,
  gc: async () => {
    for (let i = 0; i < 3; i++) { globalThis.gc(); await new Promise((r) => setImmediate(r)); }
    return stats();
  },
  loopReset: () => { loop.reset(); gc = freshGc(); timeline = []; origin = performance.now(); },
  loop: () => ({
    p50: ns(loop.percentile(50)), p99: ns(loop.percentile(99)), max: ns(loop.max), mean: ns(loop.mean), gc, timeline,
  }),
  live: () => server.registry.list().flatMap((proxy) => proxy.connections.slice(0, 20).map((c) => ({
    proxy: proxy.name, id: c.id, state: c.state,
    client: { destroyed: c.client.destroyed, readable: c.client.readable, writable: c.client.writable, pending: c.client.writableLength },
    upstream: { destroyed: c.upstream.destroyed, connecting: c.upstream.connecting, readable: c.upstream.readable, writable: c.upstream.writable, pending: c.upstream.writableLength },
    toxics: { up: c.up?.activeToxics ?? null, down: c.down?.activeToxics ?? null },
  }))),
  served: () => { const out = served; served = []; return out; },
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

/** GC pauses: how many, their total and the longest, ms. */
export interface Pauses {
  count: number;
  totalMs: number;
  maxMs: number;
}

/** Event-loop delay (ms) since the last reset, GC pauses (by kind: minor, major, incremental, weakcb) in that time, and both per second. */
export interface LoopStats {
  p50: number;
  p99: number;
  max: number;
  mean: number;
  gc: Pauses & { kinds: Record<string, Pauses> };
  /** Each second since the reset: its end (ms since the reset), the longest event-loop delay and the GC time in it. */
  timeline: Array<{ at: number; max: number; gcMs: number }>;
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
  /** Up to 20 live connections per proxy, with their sockets' state (for diagnosing what is left over). */
  live(): Promise<unknown[]>;
  /** Time each API request spent inside the proxy process (headers parsed → response finished), ms, since the last call. */
  served(): Promise<number[]>;
  /** Starts sampling every link's held bytes every `everyMs`. */
  heldStart(everyMs: number): Promise<void>;
  /** Stops sampling; the maxima per proxy name. */
  heldStop(): Promise<Record<string, Held>>;
}

/** Extra Node flags for the proxy process (`FAULTLINE_SOAK_PROXY_FLAGS`, space-separated), for diagnosis, e.g. `--single-threaded-gc`. */
const EXTRA_FLAGS = (process.env['FAULTLINE_SOAK_PROXY_FLAGS'] ?? '').split(' ').filter(Boolean);

/** Starts the proxy process (with --expose-gc); killed at teardown. */
export async function proxyProcess(t: Teardown): Promise<ProxyProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, FAULTLINE_SOAK_DIST: DIST };
  delete env['NODE_OPTIONS'];
  const child = spawn(process.execPath, ['--expose-gc', ...EXTRA_FLAGS, '--input-type=module', '-e', SCRIPT], {
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
    served: () => call<number[]>('served'),
    live: () => call<unknown[]>('live'),
    heldStart: (everyMs) => call<void>('heldStart', { everyMs }),
    heldStop: () => call<Record<string, Held>>('heldStop'),
  };
}
