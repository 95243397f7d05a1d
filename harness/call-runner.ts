/**
 * Runs a `call` step (call-step.ts): the path's probe makes one long call while its during-actions
 * wait for their cues (the n-th progress step delivered, the n-th time the call's stream came back,
 * or some ms after the previous action) and are applied one after another as steps of the
 * scenario. An action whose cue never came before the call ended is reported; a heal among them is
 * still applied, so a path is never left cut by a cue that did not come. The call is recorded as a
 * write request (so the ledger reconciles it) and as a `call` entry with its requests.
 */
import { EventEmitter, once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CallStep, DuringAction } from './call-step.js';
import type { CallCue } from './probes/call.js';
import type { Probe } from './probes/probe.js';
import type { Step } from './scenario.js';
import type { RequestEntry, Timeline } from './timeline.js';

/** What a call step needs from the runner. */
export interface CallContext {
  readonly probe: Probe;
  readonly timeline: Timeline;
  readonly path: string;
  /** The call's operation id (unique in the run). */
  readonly id: string;
  /** Whether a fault is on the path, and heals so far, when the call starts. */
  readonly faulted: boolean;
  readonly epoch: number;
  /** Applies one step of the scenario (a during-action). */
  act(step: Step): Promise<void>;
}

/** Runs the call step `spec`; returns its request entry (also on the timeline). */
export async function runCall(spec: CallStep, ctx: CallContext): Promise<RequestEntry> {
  const { probe, timeline } = ctx;
  if (!probe.call) throw new Error(`a call step needs an MCP probe (path ${ctx.path} has a ${probe.kind} probe)`);
  const seen = { progress: 0, reconnect: 0 };
  const cues = new EventEmitter();
  const ended = new AbortController();
  let finished = false;
  const cue = (c: CallCue): void => {
    seen[c.kind] = Math.max(seen[c.kind], c.count);
    cues.emit('cue');
  };
  const op = { id: ctx.id, payload: `payload of ${ctx.id}`, steps: spec.steps, intervalMs: spec.interval_ms, timeoutMs: spec.timeout_ms };
  const started = timeline.now();
  const call = probe.call(op, cue).finally(() => {
    finished = true;
    ended.abort();
    cues.emit('cue');
  });
  const untriggered: string[] = [];
  const actions = (async () => {
    let last = performance.now();
    for (const [i, action] of spec.during.entries()) {
      if (await cued(action, last)) {
        await ctx.act(action.step);
        last = performance.now();
      } else untriggered.push(describe(i, action));
    }
  })();
  /** Resolves true once `action`'s cue came, false if the call ended first. */
  async function cued(action: DuringAction, last: number): Promise<boolean> {
    const { kind, value } = action.trigger;
    if (kind === 'after_ms') {
      const wait = last + value - performance.now();
      if (wait > 0) await sleep(wait, undefined, { signal: ended.signal }).catch(() => undefined);
      return !finished;
    }
    const key = kind === 'after_progress' ? 'progress' : 'reconnect';
    while (seen[key] < value && !finished) await once(cues, 'cue');
    return seen[key] >= value;
  }
  const result = await call;
  await actions;
  for (const [i, action] of spec.during.entries()) {
    if (untriggered.includes(describe(i, action)) && 'heal' in action.step) await ctx.act(action.step);
  }
  const attempt = { ok: result.ok, ...(result.error === undefined ? {} : { error: result.error }), start: timeline.fromMono(result.start), end: timeline.fromMono(result.end) };
  timeline.add({
    type: 'call',
    id: ctx.id,
    path: ctx.path,
    protocol: probe.mcpFacts?.().protocol ?? null,
    steps: spec.steps,
    timeout_ms: spec.timeout_ms,
    start: attempt.start,
    end: attempt.end,
    ok: result.ok,
    ...(result.error === undefined ? {} : { error: result.error }),
    requests: result.requests,
    untriggered,
  });
  const entry: RequestEntry = {
    type: 'request',
    id: ctx.id,
    path: ctx.path,
    kind: 'write',
    faulted: ctx.faulted,
    epoch: ctx.epoch,
    start: started,
    end: timeline.now(),
    attempts: [attempt],
    outcome: result.ok ? 'ok' : 'failed',
  };
  timeline.add(entry);
  return entry;
}

function describe(i: number, action: DuringAction): string {
  return `during[${i}] ${action.trigger.kind} ${action.trigger.value}: ${Object.keys(action.step)[0]}`;
}
