/**
 * Runner: runs one Scenario. It applies the steps through the Controller, drives the probes of
 * each path through their client policies, records everything on a Timeline, then reads the
 * upstream's ledger and computes the result. Paths run their requests concurrently when a step
 * names several; steps run one after another.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { runCall } from './call-runner.js';
import { clientResultOf, passThrough } from './client-policy.js';
import type { Controller } from './controller.js';
import { fatalOf, stopIfFatal } from './fatal.js';
import { leakCheck, resources, type LeakReport } from './leaks.js';
import type { CallLedgerSnapshot } from './mcp-schema.js';
import { resultNotes } from './notes.js';
import { planScenario, type Plan, type PlannedFault } from './plan.js';
import { PolicyClient } from './policy.js';
import type { Probe } from './probes/probe.js';
import { watchOverhead } from './overhead.js';
import { buildResult, type ScenarioResult } from './result.js';
import { clientInterval, sendMany } from './send-many.js';
import { policySchema, type Policy, type Scenario, type Step } from './scenario.js';
import { Timeline } from './timeline.js';
import type { Ledger } from './upstreams/upstream.js';

/** One path of a scenario as the runner drives it: the server and proxy on it, and a fresh probe through it. */
export interface PathTarget {
  controller: Controller;
  proxy: string;
  probe: Probe;
  /** Every client of a multi-client path, each its own probe (`clients[0]` is `probe`); absent with one client. */
  clients?: Probe[];
}

/** The probes of a path: its clients, or its one probe. */
function probesOf(target: PathTarget): Probe[] {
  return target.clients ?? [target.probe];
}

/** What the runner reports while it runs (for live progress). */
export interface Progress {
  scenario: string;
  probe: string;
  step: string;
  ok: number;
  failed: number;
}

/** Everything one run needs. */
export interface RunContext {
  scenario: Scenario;
  paths: Record<string, PathTarget>;
  /** Policy fields that override the scenario's (e.g. a deliberately broken client); with a probe that has its own policy, only `timeout_ms` (its budget). */
  policy?: Partial<Policy>;
  /** Reads the upstream's ledger after the run; undefined when the upstream has none. */
  ledger?: () => Promise<Ledger | undefined>;
  /** MCP: reads the server's call ledger after the run (long calls, notifications pushed). */
  calls?: () => Promise<CallLedgerSnapshot | undefined>;
  /** MCP: makes the server push a notification (to check the server → client stream after heals). */
  notify?: () => Promise<unknown>;
  /** How long a notification may take to arrive. */
  notificationTimeoutMs?: number;
  /** Unique per run, so request ids never collide in a ledger that outlives runs. */
  runId: string;
  seed: string;
  onProgress?: (progress: Progress) => void;
  /** The timeline to fill (default a new one starting now); tests pass theirs to know its clock. */
  timeline?: Timeline;
}

interface PathState {
  /** The first client (the only one on a single-client path). */
  client: PolicyClient;
  /** Every client of the path, each with its own policy state. */
  clients: PolicyClient[];
  /** Requests sent by each client. */
  sentBy: number[];
  faulted: boolean;
  epoch: number;
  sent: number;
  /** A heal happened; check notifications once the requests after it have run. */
  checkPending: boolean;
  /** The probe's stream repairs counted by the last notification check (repairs made since count for the next). */
  repairs: number;
}

/** Runs a scenario and returns its result; a run that breaks is a failed result, never a throw. */
export async function runScenario(ctx: RunContext): Promise<ScenarioResult> {
  const { scenario } = ctx;
  const ownPolicy = Object.values(ctx.paths).some((p) => p.probe.ownPolicy);
  const policy = ownPolicy
    ? passThrough(policySchema.parse(scenario.policy), ctx.policy)
    : policySchema.parse({ ...scenario.policy, ...ctx.policy });
  const timeline = ctx.timeline ?? new Timeline();
  const overhead = watchOverhead(timeline);
  for (const { controller } of Object.values(ctx.paths)) controller.use(timeline);
  for (const [path, target] of Object.entries(ctx.paths)) {
    const { probe, clients } = target;
    probesOf(target).forEach((one, c) =>
      one.watchTransport?.(({ at, kind, detail }) =>
        timeline.add({
          type: 'transport',
          path,
          ...(clients ? { client: c } : {}),
          at: timeline.fromMono(at),
          kind,
          ...(detail === undefined ? {} : { detail }),
        }),
      ),
    );
    probe.watchMcp?.((event) => timeline.add({ type: 'mcp', path, ...event, at: timeline.fromMono(event.at) }));
    probe.watchClient?.(({ at, lateMs, ...event }) =>
      timeline.add({ type: 'client', path, at: timeline.fromMono(at), ...event, ...(lateMs === undefined ? {} : { late_ms: lateMs }) }),
    );
  }
  const before = resources();
  const states = new Map<string, PathState>();
  for (const [name, target] of Object.entries(ctx.paths)) {
    const clients = probesOf(target).map((probe, c) => new PolicyClient(probe, policy, timeline, name, target.clients ? c : undefined));
    states.set(name, {
      client: clients[0] as PolicyClient,
      clients,
      sentBy: clients.map(() => 0),
      faulted: false,
      epoch: 0,
      sent: 0,
      checkPending: false,
      repairs: 0,
    });
  }
  const probe = Object.values(ctx.paths)[0]?.probe.kind ?? 'none';
  const progress: Progress = { scenario: scenario.name, probe, step: 'open', ok: 0, failed: 0 };
  const plan = planScenario(scenario.steps, (path) => target(ctx, path).controller.capabilities);
  let error: string | null = plan.refused === null ? null : `not run: ${plan.refused}`;
  try {
    if (error === null) {
      await Promise.all(Object.values(ctx.paths).flatMap((p) => probesOf(p).map((one) => one.open().catch(() => undefined))));
      stopIfFatal(ctx.paths);
      await runSteps(scenario.steps, ctx, states, timeline, progress, plan);
    }
    progress.step = 'replay';
    ctx.onProgress?.(progress);
    for (const state of states.values()) if (!state.faulted) await Promise.all(state.clients.map((client) => client.replay()));
    await checkNotifications(ctx, states, timeline);
  } catch (err) {
    error = `run stopped: ${(err as Error).message}`;
  }
  await Promise.all(Object.values(ctx.paths).flatMap((p) => probesOf(p).map((one) => one.close().catch(() => undefined))));
  for (const [path, target] of Object.entries(ctx.paths)) {
    if (!target.clients) continue;
    await target.controller.settleEvents();
    for (const entry of target.controller.connectionEntries(path, target.proxy, timeline)) timeline.add(entry);
  }
  // A client that died after its last answer still fails the scenario.
  const fatal = fatalOf(ctx.paths);
  if (error === null && fatal !== undefined) error = `run stopped: ${fatal}`;
  // Read after the probes closed: a client's writes still in flight (or flushed at stdin EOF) count.
  let ledgerError: string | undefined;
  const ledger = await ctx.ledger?.().catch((err: unknown) => void (ledgerError = (err as Error).message));
  const calls = await ctx.calls?.().catch(() => undefined);
  const mcp = Object.values(ctx.paths)[0]?.probe.mcpFacts?.();
  const leaks: LeakReport | null = scenario.expect.no_leaks
    ? await leakCheck(before, {
        probeSockets: () => Object.values(ctx.paths).flatMap(probesOf).reduce((n, p) => n + (p.openSockets?.() ?? 0), 0),
        proxyConnections: async () => {
          const counts = await Promise.all(Object.values(ctx.paths).map((p) => p.controller.connections(p.proxy)));
          return counts.some((c) => c === null) ? null : counts.reduce<number>((n, c) => n + (c as number), 0);
        },
      })
    : null;
  const counters = { retries: 0, queued: 0, cached: 0 };
  for (const client of [...states.values()].flatMap((s) => s.clients)) {
    counters.retries += client.counters.retries;
    counters.queued += client.counters.queued;
    counters.cached += client.counters.cached;
  }
  const harness = overhead.stop(timeline.requests().length);
  return buildResult({
    scenario,
    policy,
    timeline,
    counters,
    ledger,
    leaks,
    probe,
    seed: ctx.seed,
    error,
    mcp,
    calls,
    harness,
    emulated: plan.emulated,
    notes: resultNotes({
      ledgerGiven: ctx.ledger !== undefined,
      ...(ledgerError === undefined ? {} : { ledgerError }),
      passThrough: ownPolicy,
    }),
    client: clientResultOf(Object.entries(ctx.paths).map(([path, p]) => [path, p.probe] as const), policy),
  });
}

async function runSteps(
  steps: readonly Step[],
  ctx: RunContext,
  states: Map<string, PathState>,
  timeline: Timeline,
  progress: Progress,
  plan: Plan,
): Promise<void> {
  for (const step of steps) {
    const kind = Object.keys(step)[0] as string;
    progress.step = kind;
    ctx.onProgress?.(progress);
    if ('send' in step) {
      await send(step.send, ctx, states, progress);
      await checkNotifications(ctx, states, timeline);
    } else if ('call' in step) {
      const state = states.get(step.call.path) as PathState;
      const id = `${ctx.runId}-${ctx.scenario.name}-${step.call.path}-${++state.sent}`;
      const { probe } = target(ctx, step.call.path);
      const act = (action: Step): Promise<void> => runSteps([action], ctx, states, timeline, progress, plan);
      const entry = await runCall(step.call, { probe, timeline, path: step.call.path, id, faulted: state.faulted, epoch: state.epoch, act });
      if (entry.outcome === 'ok') progress.ok++;
      else progress.failed++;
      await checkNotifications(ctx, states, timeline);
    } else if ('notify' in step) {
      if (!ctx.notify) throw new Error('a notify step needs an upstream that pushes notifications (the demo MCP server, or --notify-url)');
      for (let i = 0; i < step.notify; i++) await ctx.notify();
    } else if ('wait' in step) await sleep(step.wait);
    else if ('repeat' in step) {
      for (let i = 0; i < step.repeat.times; i++) await runSteps(step.repeat.steps, ctx, states, timeline, progress, plan);
    } else if ('heal' in step) await heal(step.heal.path, ctx, states);
    else {
      const path = (Object.values(step)[0] as { path: string }).path;
      const { controller, proxy } = target(ctx, path);
      await controller.apply(path, proxy, plan.faults.get(step) as PlannedFault);
      (states.get(path) as PathState).faulted = true;
    }
  }
}

async function send(
  spec: Extract<Step, { send: unknown }>['send'],
  ctx: RunContext,
  states: Map<string, PathState>,
  progress: Progress,
): Promise<void> {
  const { count, paths, kind, interval, clients } =
    typeof spec === 'number'
      ? { count: spec, paths: ['primary'], kind: 'write' as const, interval: ctx.scenario.interval_ms, clients: undefined }
      : {
          count: spec.count,
          paths: spec.paths ?? [spec.path ?? 'primary'],
          kind: spec.kind,
          interval: spec.interval_ms ?? ctx.scenario.interval_ms,
          clients: spec.clients,
        };
  await Promise.all(
    paths.map(async (path) => {
      const state = states.get(path) as PathState;
      const pace = typeof spec === 'number' ? {} : spec;
      if (state.clients.length > 1) {
        const n = Math.min(clients ?? state.clients.length, state.clients.length);
        const together = typeof spec !== 'number' && spec.start === 'together';
        return sendMany({ path, state, count, kind, clients: n, interval: clientInterval(ctx.scenario, pace, n, interval), together }, ctx, progress);
      }
      const pause = clientInterval(ctx.scenario, pace, 1, interval);
      for (let i = 0; i < count; i++) {
        if (i > 0 || state.sent > 0) await sleep(pause);
        stopIfFatal(ctx.paths);
        const n = ++state.sent;
        const id = `${ctx.runId}-${ctx.scenario.name}-${path}-${n}`;
        const target = kind === 'read' ? state.client.readTarget : undefined;
        const request = { id, kind, payload: `payload of ${id}`, ...(target === undefined ? {} : { target }) };
        const entry = await state.client.request(request, state.faulted, state.epoch);
        if (entry.outcome === 'ok' || entry.outcome === 'cached') progress.ok++;
        else progress.failed++;
        ctx.onProgress?.(progress);
        stopIfFatal(ctx.paths);
      }
    }),
  );
}

async function heal(path: string, ctx: RunContext, states: Map<string, PathState>): Promise<void> {
  const { controller, proxy } = target(ctx, path);
  await controller.heal(path, proxy);
  const state = states.get(path) as PathState;
  state.faulted = false;
  state.epoch++;
  state.checkPending = true;
}

/**
 * After a heal, once the requests that follow it have run (so the check does not delay them and
 * recovery times stay honest): does a notification pushed by the server reach the client?
 */
async function checkNotifications(ctx: RunContext, states: Map<string, PathState>, timeline: Timeline): Promise<void> {
  for (const [path, state] of states) {
    const { probe } = target(ctx, path);
    if (!state.checkPending || state.faulted || !probe.checkNotifications || !ctx.notify) continue;
    state.checkPending = false;
    // A repair made since the last check (e.g. after a successful call) counts for this one.
    const before = state.repairs;
    const ok = await probe.checkNotifications(ctx.notify, ctx.notificationTimeoutMs ?? 3000).catch(() => false);
    state.repairs = repairs(probe);
    timeline.add({ type: 'notification', path, at: timeline.now(), ok, repaired: state.repairs > before });
  }
}

function repairs(probe: Probe): number {
  return (probe.recoveries?.reopened ?? 0) + (probe.recoveries?.replaced ?? 0);
}

function target(ctx: RunContext, path: string): PathTarget {
  const found = ctx.paths[path];
  if (!found) throw new Error(`no target for path "${path}"`);
  return found;
}
