/**
 * What a soak window looked like from outside the proxy and inside it: CPU of the proxy and the
 * load generator, how long the proxy's event-loop thread waited for a CPU (host contention), its
 * event-loop delay and GC pauses, the time API requests spent inside it, its peak RSS and the
 * machine's load average.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { cpuSecondsOf, loadAverage, rssOf, schedOf } from '../../../bench/procfs.js';
import type { LoopStats, ProxyProcess } from './proxy-process.js';
import { every } from './schedule.js';
import { spread, type Spread } from './stats.js';

/** The figures of one window. */
export interface Window {
  seconds: number;
  /** CPU used, as a share of one core. */
  proxy_cpu: number;
  loadgen_cpu: number;
  /** Share of the window the proxy's event-loop thread was runnable but waiting for a CPU. */
  proxy_runqueue_wait: number;
  /** The proxy's event-loop delay (ms) and GC pauses in the window. */
  proxy_loop: LoopStats;
  /** Time API requests spent inside the proxy process, ms. */
  served_inside: Spread;
  /** Event-loop delay of the test process itself (where API times are measured), ms. */
  client_loop: { p99: number; max: number };
  rss_max: number;
  load_average_max: number;
}

/** Starts observing; `end()` stops and reports. */
export async function observe(proxy: ProxyProcess, loadgenPid: number): Promise<{ end(): Promise<Window> }> {
  await proxy.loopReset();
  await proxy.served();
  const clientLoop = monitorEventLoopDelay({ resolution: 2 });
  clientLoop.enable();
  const started = performance.now();
  const cpu = [cpuSecondsOf(proxy.pid), cpuSecondsOf(loadgenPid)] as const;
  const sched = schedOf(proxy.pid);
  let rssMax = 0;
  let loadMax = 0;
  const sampler = every(250, async () => {
    rssMax = Math.max(rssMax, rssOf(proxy.pid));
    loadMax = Math.max(loadMax, loadAverage());
  });
  return {
    end: async () => {
      await sampler.stop();
      clientLoop.disable();
      const seconds = (performance.now() - started) / 1000;
      return {
        seconds,
        proxy_cpu: (cpuSecondsOf(proxy.pid) - cpu[0]) / seconds,
        loadgen_cpu: (cpuSecondsOf(loadgenPid) - cpu[1]) / seconds,
        proxy_runqueue_wait: (schedOf(proxy.pid).waited - sched.waited) / seconds,
        proxy_loop: await proxy.loop(),
        served_inside: spread(await proxy.served()),
        client_loop: { p99: clientLoop.percentile(99) / 1e6, max: clientLoop.max / 1e6 },
        rss_max: rssMax,
        load_average_max: loadMax,
      };
    },
  };
}

/** Human-readable lines about a window. */
export function describe(w: Window): string[] {
  const pct = (share: number): string => `${(share * 100).toFixed(0)}%`;
  const { proxy_loop: loop } = w;
  return [
    `CPU (share of one core): proxy ${pct(w.proxy_cpu)}, load generator ${pct(w.loadgen_cpu)}; machine load average up to ${w.load_average_max}`,
    `proxy event-loop thread waited for a CPU ${pct(w.proxy_runqueue_wait)} of the time`,
    `proxy event-loop delay p50 ${loop.p50.toFixed(1)} ms, p99 ${loop.p99.toFixed(1)} ms, max ${loop.max.toFixed(1)} ms; GC ${loop.gc.count} pauses, ${loop.gc.totalMs.toFixed(0)} ms in all, max ${loop.gc.maxMs.toFixed(1)} ms`,
    `time API requests spent inside the proxy: p50 ${w.served_inside.p50.toFixed(1)} ms, p99 ${w.served_inside.p99.toFixed(1)} ms, max ${w.served_inside.max.toFixed(1)} ms`,
    `test process event-loop delay p99 ${w.client_loop.p99.toFixed(1)} ms, max ${w.client_loop.max.toFixed(1)} ms`,
  ];
}
