/**
 * The console lines of multi-client windows, reconnect waves and the harness's overhead: the
 * distributions over clients (p50 / p99 / max of detection and recovery, the time until all
 * recovered), each wave's size, peak and end, and when the harness's event loop lagged more than
 * 10 ms, said beside the window it lagged in.
 */
import type { ReadableResult } from '../result-schema.js';

const fmt = (ms: number | null | undefined): string => (ms === null || ms === undefined ? '—' : `${ms.toFixed(1)}ms`);
const spread = (s: { p50: number | null; p99: number | null; max: number | null }): string => `p50 ${fmt(s.p50)} p99 ${fmt(s.p99)} max ${fmt(s.max)}`;

/** The lines for `r` (none for a single-client scenario without lag). */
export function clientConsoleLines(r: ReadableResult): string[] {
  const lines: string[] = [];
  for (const w of r.windows ?? []) {
    const at = `${w.path} ${w.fault} @${fmt(w.applied_ms)}`;
    const c = w.clients;
    if (c) {
      lines.push(
        `${at}: ${c.affected}/${c.count} clients affected, ${c.recovered} recovered, ${c.unrecovered} not; all recovered after ${fmt(c.all_recovered_ms)}`,
        `  detection over clients ${spread(c.detection_ms)}; recovery ${spread(c.recovery_ms)}`,
      );
    }
    const wave = w.reconnect;
    if (wave) {
      lines.push(
        `  reconnect wave: ${wave.connections} connections, peak ${wave.peak_per_bucket} per 10 ms (${wave.peak_rate_per_s}/s), last after ${fmt(wave.last_reconnect_ms)}, upstream peak ${wave.upstream_peak} open`,
      );
    }
    if (w.harness_lag_ms !== undefined) lines.push(`  ${c ? '' : `${at}: `}harness event loop lagged ${fmt(w.harness_lag_ms)} in this window: its times may be late by that much`);
  }
  for (const [path, p] of Object.entries(r.paths ?? {})) {
    if (!p.clients) continue;
    const hit = p.clients.per_client.filter((c) => c.failed > 0).length;
    const lost = p.clients.per_client.reduce((n, c) => n + c.lost_writes, 0);
    lines.push(`${path}: ${p.clients.count} clients, ${hit} saw a failed request, ${lost} writes lost; throughput is their sum`);
  }
  const h = r.harness;
  if (h && lines.length) {
    lines.push(`harness: ${fmt(h.cpu_ms)} CPU (${fmt(h.cpu_ms_per_request)}/request), event-loop delay p99 ${fmt(h.event_loop_delay_p99_ms)} max ${fmt(h.event_loop_delay_max_ms)}`);
  }
  return lines;
}
