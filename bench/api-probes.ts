/**
 * Probes of the thread that runs the data plane, for the API-latency benchmark: its event-loop
 * delay (monitorEventLoopDelay, 1 ms resolution), its GC pauses, and how many connections it
 * holds. Read and reset over the benchmark's IPC.
 */
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import type { Registry } from '../proxy/registry.js';

/** Event-loop delay (ms) and GC pauses since the last reset. */
export interface LoopReading {
  p50: number;
  p99: number;
  max: number;
  gc: { count: number; totalMs: number; maxMs: number };
}

/** The probes of one data-plane thread. */
export interface Probes {
  reset(): void;
  read(): LoopReading;
  connections(): number;
}

/** Starts probing this thread; `registry` is the data plane it runs. */
export function startProbes(registry: Registry): Probes {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  let gc = { count: 0, totalMs: 0, maxMs: 0 };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.count++;
      gc.totalMs += entry.duration;
      gc.maxMs = Math.max(gc.maxMs, entry.duration);
    }
  }).observe({ entryTypes: ['gc'] });
  return {
    reset: () => {
      loop.reset();
      gc = { count: 0, totalMs: 0, maxMs: 0 };
    },
    read: () => ({ p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6, gc }),
    connections: () => registry.list().reduce((n, p) => n + p.connections.length, 0),
  };
}
