/**
 * A send step on a multi-client path: every client sends its requests concurrently, each one
 * request at a time (as a real client does), on its own schedule: client c of n starts c/n of an
 * interval after the step begins (so n clients do not fire in lockstep; `start: together` fires
 * them all at once, as clients do the moment a dead server is back), then every `interval` ms, or
 * at once when its previous request ran past its slot.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { stopIfFatal } from './fatal.js';
import type { PolicyClient } from './policy.js';
import type { Probe } from './probes/probe.js';
import type { Progress } from './runner.js';
import type { Scenario } from './scenario.js';

/** The state of a multi-client path that a send step reads and advances. */
export interface ManyClients {
  clients: PolicyClient[];
  sentBy: number[];
  faulted: boolean;
  epoch: number;
}

/** One send step on one path. */
export interface SendJob {
  path: string;
  state: ManyClients;
  count: number;
  kind: 'write' | 'read';
  /** The first this many clients send. */
  clients: number;
  /** ms between two requests of one client. */
  interval: number;
  /** All clients send their first request at once instead of spread over one interval. */
  together?: boolean;
}

/** What sendMany needs of the run. */
interface RunFacts {
  runId: string;
  scenario: Scenario;
  paths: Readonly<Record<string, { readonly probe: Probe }>>;
  onProgress?: (progress: Progress) => void;
}

/**
 * The interval of one client: the step's `rps` (all clients together) or `rate` (each), else the
 * scenario's, else `fallback` (interval_ms).
 */
export function clientInterval(scenario: Pick<Scenario, 'rate' | 'rps'>, step: { interval_ms?: number; rate?: number; rps?: number }, clients: number, fallback: number): number {
  if (step.interval_ms !== undefined) return step.interval_ms;
  const rps = step.rps ?? (step.rate === undefined ? scenario.rps : undefined);
  if (rps !== undefined) return (clients * 1000) / rps;
  const rate = step.rate ?? scenario.rate;
  return rate === undefined ? fallback : 1000 / rate;
}

/** Runs `job`: each of its clients sends `count` requests; resolves when all have answered. */
export async function sendMany(job: SendJob, run: RunFacts, progress: Progress): Promise<void> {
  const { path, state, count, kind, clients, interval, together = false } = job;
  const begin = performance.now();
  await Promise.all(
    state.clients.slice(0, clients).map(async (client, c) => {
      const first = together ? begin : begin + (c * interval) / clients + ((state.sentBy[c] ?? 0) > 0 ? interval : 0);
      for (let i = 0; i < count; i++) {
        const wait = first + i * interval - performance.now();
        if (wait > 0) await sleep(wait);
        stopIfFatal(run.paths);
        const n = (state.sentBy[c] = (state.sentBy[c] ?? 0) + 1);
        const id = `${run.runId}-${run.scenario.name}-${path}-c${c}-${n}`;
        const target = kind === 'read' ? client.readTarget : undefined;
        const request = { id, kind, payload: `payload of ${id}`, ...(target === undefined ? {} : { target }) };
        const entry = await client.request(request, state.faulted, state.epoch);
        if (entry.outcome === 'ok' || entry.outcome === 'cached') progress.ok++;
        else progress.failed++;
        run.onProgress?.(progress);
      }
    }),
  );
}
