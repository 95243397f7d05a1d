/**
 * Reconciles what the client saw with what the server applied (its ledger), per write:
 * acknowledged, applied-but-unacknowledged, failed-and-not-applied, duplicated, and the two kinds
 * of loss: acknowledged yet missing from the ledger, or queued and never delivered.
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
    return {
      checked: false,
      acknowledged: acked.size,
      applied_unacknowledged: [],
      failed_not_applied: [],
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

/** Data is lost when an acknowledged write is missing or a queued one was never delivered. */
export function dataLost(reconciliation: Reconciliation): boolean {
  return reconciliation.lost.length > 0 || reconciliation.undelivered_queued.length > 0;
}
