/**
 * Reconciles what the client saw with what the server applied (its ledger), per write:
 * acknowledged, applied-but-unacknowledged, failed-and-not-applied, duplicated. The harness plays
 * the application, and the application wants every write it makes to reach the server; so data is
 * lost when a write is acknowledged yet missing from the ledger, when a write the client queued was
 * never delivered, or when the client gave a write up (it failed and was never applied).
 */
import type { Ledger } from './upstreams/upstream.js';
import type { Timeline } from './timeline.js';

/** The reconciliation of one scenario's writes; id lists are sorted. */
export interface Reconciliation {
  /** False when no ledger was available: only the client's side is known. */
  checked: boolean;
  acknowledged: number;
  applied_unacknowledged: string[];
  failed_not_applied: string[];
  duplicated: string[];
  /** Acknowledged to the client but not in the ledger. */
  lost: string[];
  /** Queued by the client during a fault and never delivered. */
  undelivered_queued: string[];
}

/** The ids of every write that did not reach the server (see the file comment). */
export function lostWrites(r: Reconciliation): string[] {
  return [...r.lost, ...r.undelivered_queued, ...r.failed_not_applied].sort();
}

/** Reconciles the writes on `timeline` against `ledger` (undefined: no ledger to check). */
export function reconcile(timeline: Timeline, ledger: Ledger | undefined): Reconciliation {
  const acked = new Set<string>();
  const queued = new Set<string>();
  const writes = new Set<string>();
  for (const request of timeline.requests()) {
    if (request.kind !== 'write') continue;
    writes.add(request.id);
    if (request.outcome === 'ok') acked.add(request.id);
    if (request.outcome === 'queued') queued.add(request.id);
  }
  for (const replay of timeline.replays()) {
    if (!replay.ok) continue;
    acked.add(replay.id);
    queued.delete(replay.id);
  }
  const applied = (id: string): number => ledger?.get(id) ?? 0;
  const sorted = (ids: Iterable<string>): string[] => [...ids].sort();
  const all = [...writes];
  if (!ledger) {
    // Only the client's side is known: a write it never saw acknowledged may or may not have landed.
    return {
      checked: false,
      acknowledged: acked.size,
      applied_unacknowledged: [],
      failed_not_applied: sorted(all.filter((id) => !acked.has(id) && !queued.has(id))),
      duplicated: [],
      lost: [],
      undelivered_queued: sorted(queued),
    };
  }
  return {
    checked: true,
    acknowledged: acked.size,
    applied_unacknowledged: sorted(all.filter((id) => !acked.has(id) && applied(id) > 0)),
    failed_not_applied: sorted(all.filter((id) => !acked.has(id) && !queued.has(id) && applied(id) === 0)),
    duplicated: sorted(all.filter((id) => applied(id) > 1)),
    lost: sorted([...acked].filter((id) => applied(id) === 0)),
    undelivered_queued: sorted([...queued].filter((id) => applied(id) === 0)),
  };
}

/** Data is lost when any write did not reach the server: acknowledged and missing, queued and undelivered, or given up. */
export function dataLost(reconciliation: Reconciliation): boolean {
  return lostWrites(reconciliation).length > 0;
}
