/**
 * The harness's own overhead while a scenario runs, so timing figures can be read honestly: CPU
 * time of this process (process.cpuUsage), the event-loop delay histogram
 * (perf_hooks.monitorEventLoopDelay), and every moment the loop ran more than 10 ms late (a 5 ms
 * interval timer that fired late), placed on the timeline so a fault window measured during one
 * says so next to its figures.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { z } from 'zod';
import type { harnessSchema } from './result-clients-schema.js';
import { round } from './stats.js';
import type { Timeline } from './timeline.js';
import type { FaultWindow } from './windows.js';

/** The harness's cost over one run (field meanings: result-clients-schema.ts). */
export type HarnessOverhead = z.infer<typeof harnessSchema>;

/** A tick later than this is a lag worth reporting. */
const LAG_MS = 10;

const TICK_MS = 5;

/** Watches this process from now until `stop`. */
export function watchOverhead(timeline: Timeline): { stop(requests: number): HarnessOverhead } {
  const cpu = process.cpuUsage();
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const spans: HarnessOverhead['lag_spans'] = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    const lag = now - last - TICK_MS;
    if (lag > LAG_MS) spans.push({ at: round(timeline.fromMono(last + TICK_MS)), lag_ms: round(lag) });
    last = now;
  }, TICK_MS);
  timer.unref();
  return {
    stop(requests) {
      clearInterval(timer);
      histogram.disable();
      const used = process.cpuUsage(cpu);
      const cpuMs = (used.user + used.system) / 1000;
      const has = histogram.count > 0;
      return {
        cpu_ms: round(cpuMs),
        requests,
        cpu_ms_per_request: requests > 0 ? round(cpuMs / requests) : null,
        event_loop_delay_p99_ms: has ? round(histogram.percentile(99) / 1e6) : null,
        event_loop_delay_max_ms: has ? round(histogram.max / 1e6) : null,
        lag_spans: spans,
      };
    },
  };
}

/** The worst lag in `spans` that overlaps `window` (applied → the path's next window, or `end`); undefined when none exceeds LAG_MS. */
export function lagDuring(spans: HarnessOverhead['lag_spans'], window: FaultWindow, next: number): number | undefined {
  let worst = 0;
  for (const span of spans) {
    if (span.at <= next && span.at + span.lag_ms >= window.applied_ms) worst = Math.max(worst, span.lag_ms);
  }
  return worst > LAG_MS ? worst : undefined;
}
