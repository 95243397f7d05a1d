/**
 * A Jepsen-style history of every operation (`--history FILE.jsonl`): one line when a request was
 * invoked and one when it completed, as the application saw it (after the client policy), for
 * checkers such as Elle or Knossos. Completions:
 * - `ok`: acknowledged (a read answered from the client's cache is `ok` with `cached: true`; a
 *   queued write completes `ok` when its replay is acknowledged);
 * - `fail`: it certainly did not happen: a failed read, or a failed write the ledger does not hold;
 * - `info`: indeterminate: the attempt timed out, the ledger shows the failed write was applied
 *   anyway (applied but unacknowledged), or a queued write was never delivered (completed at the
 *   scenario's end).
 * As Jepsen requires, a process never has two operations open: after an `info`, or while a queued
 * write waits for its replay, the path's next operations get a new process number (+ the number of
 * paths; each client of a multi-client path counts as a path of its own). `time` is in nanoseconds since the scenario started.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { ReadableResult } from '../result-schema.js';
import type { RequestEntry } from '../timeline.js';

/** One line of the history. */
export interface HistoryOp {
  scenario: string;
  process: number;
  type: 'invoke' | 'ok' | 'fail' | 'info';
  f: 'write' | 'read';
  value: string | null;
  time: number;
  path: string;
  id: string;
  cached?: true;
}

/** The history of `results`, in time order within each scenario. */
export function historyOf(results: readonly ReadableResult[]): HistoryOp[] {
  return results.flatMap(scenarioHistory);
}

/** Writes the history of `results` as JSON lines to `file`. */
export async function writeHistory(results: readonly ReadableResult[], file: string): Promise<void> {
  await mkdir(dirname(resolve(file)), { recursive: true });
  await writeFile(file, historyOf(results).map((op) => JSON.stringify(op)).join('\n') + '\n');
}

function scenarioHistory(result: ReadableResult): HistoryOp[] {
  const timeline = result.timeline ?? [];
  const requests = timeline.filter((e): e is RequestEntry => e.type === 'request').sort((a, b) => a.start - b.start);
  const replayed = new Map(timeline.flatMap((e) => (e.type === 'replay' && e.ok ? [[e.id, e.end] as const] : [])));
  const applied = new Set(result.ledger?.checked ? result.ledger.applied_unacknowledged : []);
  // A client of a multi-client path is a process of its own.
  const clientOf = (r: RequestEntry): string => (r.client === undefined ? r.path : `${r.path}#${r.client}`);
  const clients = [...new Set(requests.map(clientOf))];
  const process = new Map(clients.map((client, i) => [client, i]));
  const busyUntil = new Map<number, number>();
  const ops: HistoryOp[] = [];
  for (const request of requests) {
    let proc = process.get(clientOf(request)) as number;
    while ((busyUntil.get(proc) ?? -Infinity) > request.start) proc += clients.length;
    process.set(clientOf(request), proc);
    const base = { scenario: result.test_name, process: proc, f: request.kind, path: request.path, id: request.id };
    const written = request.kind === 'write' ? `payload of ${request.id}` : null;
    ops.push({ ...base, type: 'invoke', value: written, time: ns(request.start) });
    const { at, ...done } = completion(request, replayed, applied, result.duration_ms);
    ops.push({ ...base, ...done, value: request.kind === 'write' ? written : done.value, time: ns(at) });
    // A process whose operation ended indeterminate (or is still queued) is never reused.
    if (done.type === 'info' || at > request.end) busyUntil.set(proc, Infinity);
  }
  return ops.sort((a, b) => a.time - b.time);
}

interface Completion {
  type: 'ok' | 'fail' | 'info';
  at: number;
  value: string | null;
  cached?: true;
}

function completion(request: RequestEntry, replayed: ReadonlyMap<string, number>, applied: ReadonlySet<string>, end: number): Completion {
  const value = request.value ?? null;
  if (request.outcome === 'ok') return { type: 'ok', at: request.end, value };
  if (request.outcome === 'cached') return { type: 'ok', at: request.end, value, cached: true };
  if (request.outcome === 'queued') {
    const at = replayed.get(request.id);
    return at === undefined ? { type: 'info', at: end, value: null } : { type: 'ok', at, value: null };
  }
  const timedOut = request.attempts.at(-1)?.error === 'timeout';
  return { type: timedOut || applied.has(request.id) ? 'info' : 'fail', at: request.end, value: null };
}

function ns(ms: number): number {
  return Math.round(ms * 1e6);
}
