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
import type { Scenario } from './scenario.js';
import type { FaultEntry, RequestEntry, Timeline } from './timeline.js';
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

/** The IPs a fault's `clients` selector names by address, or undefined when it has no address selector. */
function selectedAddresses(fault: FaultEntry): Set<string> | undefined {
  const selector = fault.detail?.['clients'] as { addresses?: string[] } | undefined;
  if (!selector?.addresses) return undefined;
  return new Set(selector.addresses.map((a) => a.replace(/^\[([^\]]+)\](:\d+)?$/, '$1').replace(/^([\d.]+):\d+$/, '$1')));
}

/**
 * Failed requests of clients that every fault on at the time spared by address (a partition of
 * 127.0.0.2 while the client connects from 127.0.0.1): the failure spread beyond the clients it
 * was put on. Only paths whose clients connect from named addresses can say.
 */
export function spilledFailures(timeline: Timeline, scenario: Pick<Scenario, 'paths' | 'client_addresses'>): RequestEntry[] {
  return scenario.paths.flatMap((path) => {
    const addresses = scenario.client_addresses?.[path];
    if (!addresses?.length) return [];
    const spans: Array<{ from: number; until: number; spares: (address: string) => boolean }> = [];
    let open: typeof spans = [];
    for (const entry of timeline.faults(path)) {
      if (entry.type === 'heal') {
        for (const span of open) span.until = entry.applied;
        open = [];
        continue;
      }
      const picked = selectedAddresses(entry);
      const span = { from: entry.applied, until: Infinity, spares: (address: string) => picked !== undefined && !picked.has(address) };
      spans.push(span);
      open.push(span);
    }
    return timeline.requests(path).filter((r) => {
      if (r.outcome === 'ok' || r.client === undefined) return false;
      const address = addresses[r.client % addresses.length] as string;
      const on = spans.filter((s) => r.start < s.until && r.end >= s.from);
      return on.length > 0 && on.every((s) => s.spares(address));
    });
  });
}

/**
 * Whether every healed window of a multi-client path saw all its affected clients recover, the
 * last within `budget` ms of the heal (`why` says which window did not).
 */
export function clientsRecovered(windows: readonly FaultWindow[], budget: number): { ok: boolean; why?: string } {
  for (const w of windows) {
    if (!w.clients || w.healed_ms === null) continue;
    const at = `${w.fault} on ${w.path} at ${w.applied_ms} ms`;
    if (w.clients.all_recovered_ms === null) return { ok: false, why: `${w.clients.unrecovered} of ${w.clients.affected} clients never recovered after ${at}` };
    if (w.clients.all_recovered_ms > budget) return { ok: false, why: `the last client recovered ${w.clients.all_recovered_ms} ms after the heal of ${at}, budget ${budget} ms` };
  }
  return { ok: true };
}
