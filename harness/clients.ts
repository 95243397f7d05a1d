/**
 * Multi-client figures: pure functions of a Timeline whose requests carry a `client` index. Each
 * client of a path sees the path's fault windows on its own (windows.ts, filtered to its requests
 * and transport events); a window then gets, over its clients: how many were affected (a failed
 * attempt in it), how many recovered after the heal, p50/p99/max of detection and recovery, and
 * the time from the heal until the last affected client recovered. Throughput needs nothing extra:
 * a path's phase throughput already counts every client's requests over the same time, the sum.
 */
import type { z } from 'zod';
import type { Reconciliation } from './reconcile.js';
import type { pathClientsSchema, windowClientsSchema } from './result-clients-schema.js';
import { round, summarize } from './stats.js';
import type { Timeline } from './timeline.js';
import { windowsOfPath, type FaultWindow } from './windows.js';

/** A window over the clients of its path (field meanings: result-clients-schema.ts). */
export type WindowClients = z.infer<typeof windowClientsSchema>;

/** The clients of a path over the whole run. */
export type PathClients = z.infer<typeof pathClientsSchema>;

/** The client indexes seen on `path`'s requests, ascending; empty on a single-client path. */
export function clientsOf(timeline: Timeline, path: string): number[] {
  const seen = new Set<number>();
  for (const r of timeline.requests(path)) if (r.client !== undefined) seen.add(r.client);
  return [...seen].sort((a, b) => a - b);
}

/** Each of `windows` (the path's, in order) over `clients`; `windows[i]` gets `out[i]`. */
export function windowsOverClients(timeline: Timeline, path: string, clients: readonly number[], windows: readonly FaultWindow[]): WindowClients[] {
  const each = clients.map((client) => ({ client, windows: windowsOfPath(timeline, path, client) }));
  return windows.map((window, i) => {
    const outcomes = each.map(({ client, windows: mine }) => {
      const own = mine[i];
      const detection = own?.detection_ms ?? null;
      const recovery = detection === null ? null : (own?.recovery_ms ?? null);
      const outcome = detection === null ? 'unaffected' : recovery === null ? 'unrecovered' : 'recovered';
      return { client, outcome, detection_ms: detection, recovery_ms: recovery } as const;
    });
    const affected = outcomes.filter((o) => o.outcome !== 'unaffected');
    const recovered = outcomes.filter((o) => o.outcome === 'recovered');
    const unrecovered = affected.length - recovered.length;
    const recoveries = recovered.map((o) => o.recovery_ms as number);
    return {
      count: clients.length,
      affected: affected.length,
      recovered: recovered.length,
      unrecovered,
      detection_ms: summarize(affected.map((o) => o.detection_ms as number)),
      recovery_ms: summarize(recoveries),
      all_recovered_ms: window.healed_ms === null || unrecovered > 0 ? null : recoveries.length ? round(Math.max(...recoveries)) : 0,
      outcomes,
    };
  });
}

/** Each client of `path` over the whole run, its lost writes from the ledger reconciliation. */
export function pathClients(timeline: Timeline, path: string, clients: readonly number[], reconciliation: Reconciliation, addresses?: readonly string[]): PathClients {
  const lost = new Set(reconciliation.lost_writes);
  const requests = timeline.requests(path);
  return {
    count: clients.length,
    throughput_note: 'phase throughput is the sum over the clients',
    per_client: clients.map((client) => {
      const mine = requests.filter((r) => r.client === client);
      const ok = mine.filter((r) => r.outcome === 'ok').length;
      const address = addresses?.length ? addresses[client % addresses.length] : undefined;
      return {
        client,
        ...(address === undefined ? {} : { address }),
        requests: mine.length,
        ok,
        failed: mine.length - ok,
        lost_writes: mine.filter((r) => r.kind === 'write' && lost.has(r.id)).length,
      };
    }),
  };
}
