/**
 * Reconnect storms: after a heal, every client that lost its connection dials again, and the
 * upstream sees them all at once. Measured as the proxy saw it, from the `connection` entries the
 * runner copies off `/events` (connection.opened / connection.closed of the path's proxy): new
 * connections per 10 ms bucket from the heal, the peak bucket (and its rate per second), the time
 * from the heal to the last connection accepted before the path's next fault (or the end), and
 * the most connections open to the upstream at once in that span (each proxy connection holds one
 * upstream connection, so the running count of opened minus closed is the upstream's own count).
 * Pure functions of a Timeline.
 */
import type { z } from 'zod';
import type { reconnectSchema } from './result-clients-schema.js';
import { round } from './stats.js';
import type { Timeline } from './timeline.js';
import type { FaultWindow } from './windows.js';

/** The reconnect wave after one heal (field meanings: result-clients-schema.ts). */
export type ReconnectWave = z.infer<typeof reconnectSchema>;

/** Width of a bucket. */
const BUCKET_MS = 10;

/** The wave after each of `windows` (a path's, in order); null for a window not healed. */
export function reconnectWaves(timeline: Timeline, path: string, windows: readonly FaultWindow[], end = timeline.now()): Array<ReconnectWave | null> {
  const events = timeline.entries
    .filter((e): e is Extract<typeof e, { type: 'connection' }> => e.type === 'connection' && e.path === path)
    .sort((a, b) => a.at - b.at);
  return windows.map((window, i) => {
    const heal = window.healed_ms;
    if (heal === null) return null;
    const until = windows.slice(i + 1).find((w) => w.applied_ms >= heal)?.applied_ms ?? end;
    return waveOf(events, heal, until);
  });
}

/** The wave of `events` (sorted by time) between `heal` and `until`. */
export function waveOf(events: ReadonlyArray<{ at: number; event: 'opened' | 'closed' }>, heal: number, until: number): ReconnectWave {
  let live = 0;
  let peak: number | undefined;
  const opened: number[] = [];
  for (const e of events) {
    if (e.at >= until) break;
    // Those still open at the heal count towards the peak too.
    if (e.at >= heal && peak === undefined) peak = live;
    live = Math.max(0, live + (e.event === 'opened' ? 1 : -1));
    if (e.at < heal) continue;
    peak = Math.max(peak ?? 0, live);
    if (e.event === 'opened') opened.push(e.at - heal);
  }
  const last = opened.length ? Math.max(...opened) : null;
  const buckets = new Array<number>(last === null ? 0 : Math.floor(last / BUCKET_MS) + 1).fill(0);
  for (const at of opened) buckets[Math.floor(at / BUCKET_MS)] = (buckets[Math.floor(at / BUCKET_MS)] ?? 0) + 1;
  const top = buckets.length ? Math.max(...buckets) : 0;
  return {
    connections: opened.length,
    bucket_ms: BUCKET_MS,
    buckets,
    peak_per_bucket: top,
    peak_rate_per_s: top * (1000 / BUCKET_MS),
    last_reconnect_ms: last === null ? null : round(last),
    upstream_peak: peak ?? live,
  };
}
