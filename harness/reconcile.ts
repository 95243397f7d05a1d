/**
 * Reconciles what the client saw with what the server applied (its ledger), per write:
 * acknowledged, applied-but-unacknowledged, failed-and-not-applied, duplicated. The harness plays
 * the application, and the application wants every write it makes to reach the server; so data is
 * lost when a write is acknowledged yet missing from the ledger, when a write the client queued was
 * never delivered, or when the client gave a write up (it failed and was never applied).
 */
import type { z } from 'zod';
import type { ledgerSchema } from './result-schema.js';
import type { Ledger } from './upstreams/upstream.js';
import type { Timeline } from './timeline.js';

/** The reconciliation of one scenario's writes; id lists are sorted (fields: result-schema.ts). */
export type Reconciliation = z.infer<typeof ledgerSchema>;

/** The writes of `r` that did not reach the server (see the file comment). */
function lostWrites(r: Omit<Reconciliation, 'lost_writes'>): string[] {
  return [...r.lost, ...r.undelivered_queued, ...r.failed_not_applied].sort();
}

/** `r` with its lost writes listed. */
function withLost(r: Omit<Reconciliation, 'lost_writes'>): Reconciliation {
  return { ...r, lost_writes: lostWrites(r) };
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
    return withLost({
      checked: false,
      acknowledged: acked.size,
      applied_unacknowledged: [],
      failed_not_applied: sorted(all.filter((id) => !acked.has(id) && !queued.has(id))),
      duplicated: [],
      lost: [],
      undelivered_queued: sorted(queued),
    });
  }
  return withLost({
    checked: true,
    acknowledged: acked.size,
    applied_unacknowledged: sorted(all.filter((id) => !acked.has(id) && applied(id) > 0)),
    failed_not_applied: sorted(all.filter((id) => !acked.has(id) && !queued.has(id) && applied(id) === 0)),
    duplicated: sorted(all.filter((id) => applied(id) > 1)),
    lost: sorted([...acked].filter((id) => applied(id) === 0)),
    undelivered_queued: sorted([...queued].filter((id) => applied(id) === 0)),
  });
}

/** Data is lost when any write did not reach the server: acknowledged and missing, queued and undelivered, or given up. */
export function dataLost(reconciliation: Reconciliation): boolean {
  return reconciliation.lost_writes.length > 0;
}
