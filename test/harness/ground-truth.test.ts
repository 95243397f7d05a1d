/**
 * Ground truth for the fault windows: a scripted scenario of drop, refuse, black hole, flaky and
 * latency windows in a row runs through a real proxy, and every figure the harness reports is
 * checked against what the test saw for itself: the proxy's own events (its own subscription),
 * every socket the probe opened (diagnostics_channel, independent of the probe's code), and every
 * attempt timed by a wrapper around the probe.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import t, { type Test } from 'tap';
import { Controller } from '../../harness/controller.js';
import { EventStream } from '../../harness/event-stream.js';
import type { EventJson } from '../../protocol/wire.js';
import { HttpProbe } from '../../harness/probes/http.js';
import type { Attempt, Operation, Probe, TransportListener } from '../../harness/probes/probe.js';
import { TcpProbe } from '../../harness/probes/tcp.js';
import type { ScenarioResult } from '../../harness/result.js';
import { runScenario } from '../../harness/runner.js';
import { parseScenario } from '../../harness/scenario.js';
import { Timeline } from '../../harness/timeline.js';
import { startServer } from '../../proxy/api/server.js';
import { demoUpstream } from '../helpers/harness.js';
import { watchLateness } from '../helpers/lateness.js';

const INTERVAL = 20;
const TIMEOUT = 300;

const scenario = parseScenario(
  {
    name: 'ground_truth',
    type: 'GroundTruth',
    title: 'Drop, refuse, black hole, flaky and latency in a row',
    interval_ms: INTERVAL,
    policy: { attempts: 1, queue: false, cache: false, timeout_ms: TIMEOUT },
    steps: [
      { send: 4 },
      { partition: { mode: 'drop', cut: 'reset' } },
      { send: 3 },
      { heal: {} },
      { send: 3 },
      { partition: { mode: 'refuse' } },
      { send: 3 },
      { heal: {} },
      { send: 3 },
      { partition: { mode: 'blackhole' } },
      { send: 2 },
      { heal: {} },
      { send: 3 },
      { flaky: { rate: 1, action: 'reset', stream: 'upstream' } },
      { send: 3 },
      { heal: {} },
      { send: 3 },
      { latency: { latency: 60 } },
      { send: 3 },
      { heal: {} },
      { send: 3 },
    ],
    expect: {},
  },
  'ground-truth',
);

/** An attempt as the test timed it, around the probe. */
interface Seen {
  start: number;
  end: number;
  ok: boolean;
  error?: string;
}

/** Times every attempt itself, then hands the probe's answer on unchanged. */
class RecordingProbe implements Probe {
  readonly seen: Seen[] = [];
  readonly #inner: Probe;

  constructor(inner: Probe) {
    this.#inner = inner;
  }

  get kind() {
    return this.#inner.kind;
  }

  get label() {
    return this.#inner.label;
  }

  open(): Promise<void> {
    return this.#inner.open();
  }

  async send(op: Operation): Promise<Attempt> {
    const start = performance.now();
    const attempt = await this.#inner.send(op);
    this.seen.push({ start, end: performance.now(), ok: attempt.ok, ...(attempt.error ? { error: attempt.error } : {}) });
    return attempt;
  }

  watchTransport(listener: TransportListener): void {
    this.#inner.watchTransport?.(listener);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

/** Every reset, FIN or refusal any client socket to `port` sees, timed by the test. */
function watchSockets(t: Test, port: () => number): number[] {
  const seen: number[] = [];
  const onSocket = (message: unknown): void => {
    const socket = (message as { socket: Socket }).socket;
    let remote = 0;
    socket.once('connect', () => (remote = socket.remotePort ?? 0));
    const note = (target: number): void => void (target === port() && seen.push(performance.now()));
    socket.once('end', () => note(remote));
    socket.once('error', (err: NodeJS.ErrnoException & { port?: number }) => note(remote || (err.port ?? 0)));
  };
  subscribe('net.client.socket', onSocket);
  t.teardown(() => unsubscribe('net.client.socket', onSocket));
  return seen;
}

const near = (t: Test, actual: number | null | undefined, truth: number, tolerance: number, what: string): void => {
  t.ok(typeof actual === 'number' && Math.abs(actual - truth) <= tolerance, `${what}: ${actual} vs truth ${truth.toFixed(2)} (± ${tolerance})`);
};

async function run(t: Test, kind: 'tcp' | 'http'): Promise<void> {
  // The harness and the test each stamp the same moment a few statements apart; a stall of this
  // process (another on the CPU, a GC pause) between the two is allowed, as measured beside them.
  const watch = watchLateness(t);
  const stall = (): number => watch.max;
  const server = await startServer({ host: '127.0.0.1', port: 0, seed: '1' });
  t.teardown(() => server.close());
  const upstream = await demoUpstream(t, kind);
  const events = new EventStream();
  await events.open(server.url);
  t.teardown(() => events.close());
  const controller = new Controller(server.url, { sameClock: true });
  await controller.connect();
  t.teardown(() => controller.close());
  const listen = await controller.ensureProxy('truth', upstream.address);
  const port = Number(listen.split(':').at(-1));
  const sockets = watchSockets(t, () => port);
  const inner = kind === 'tcp' ? new TcpProbe({ host: '127.0.0.1', port }) : new HttpProbe({ url: `http://127.0.0.1:${port}` });
  const probe = new RecordingProbe(inner);
  const timeline = new Timeline();
  const result: ScenarioResult = await runScenario({
    scenario,
    paths: { primary: { controller, proxy: 'truth', probe } },
    ledger: async () => upstream.ledger(),
    runId: 'gt',
    seed: '1',
    timeline,
  });
  t.equal(result.error_message, null, 'the run did not break');
  const on = (at: number): number => timeline.fromMono(at);
  // Consecutive events of one kind are one step (a black hole is two toxics): it took effect at the last of them.
  const steps = (kind: 'apply' | 'heal'): number[] => {
    const kindOf = (e: EventJson): string => (e.type === 'toxic.added' || e.type === 'proxy.disabled' ? 'apply' : 'heal');
    const mine = events.events.filter((e) => 'proxy' in e && e.proxy === 'truth' && ['toxic.added', 'proxy.disabled', 'toxic.removed', 'proxy.enabled'].includes(e.type));
    return mine.flatMap((e, i) => (kindOf(e) === kind && (i === mine.length - 1 || kindOf(mine[i + 1] as EventJson) !== kind) ? [on(e.at)] : []));
  };
  const applied = steps('apply');
  const healed = steps('heal');
  const faults = ['partition:drop', 'partition:refuse', 'partition:blackhole', 'flaky', 'latency'];
  t.same(result.windows.map((w) => w.fault), faults, 'one window per fault step, in order');
  t.equal(applied.length, 5, 'the proxy applied five faults');
  t.equal(healed.length, 5, 'and healed five');

  for (const [i, w] of result.windows.entries()) {
    const name = `${kind} ${w.fault}`;
    const from = applied[i] as number;
    const to = healed[i] as number;
    near(t, w.applied_ms, from, 0.01, `${name}: applied at the proxy's event`);
    near(t, w.healed_ms, to, 0.01, `${name}: healed at the proxy's event`);
    const mine = probe.seen.map((s) => ({ ...s, start: on(s.start), end: on(s.end) }));
    const firstFail = mine.find((s) => !s.ok && s.end >= from && s.start < to);
    const firstOk = mine.find((s) => s.ok && s.end >= to);
    near(t, w.recovery_ms, (firstOk?.end ?? NaN) - to, 2 + stall(), `${name}: recovery = heal → the first success the test saw`);
    if (w.fault === 'latency') {
      t.equal(w.detection_ms, null, `${name}: nothing failed, so no detection`);
      t.equal(w.failed_requests, 0);
      const p50 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.ceil(xs.length / 2) - 1] as number;
      const inside = p50(mine.filter((s) => s.ok && s.start >= from && s.end <= to).map((s) => s.end - s.start));
      const before = p50(mine.filter((s) => s.ok && s.end < (applied[0] as number)).map((s) => s.end - s.start));
      t.ok((w.latency_p50_ms ?? 0) >= 60, `${name}: every round trip carries the 60 ms added (p50 ${w.latency_p50_ms} ms)`);
      near(t, w.latency_p50_ms, inside, 0.5 + stall(), `${name}: p50 round trip inside the window`);
      near(t, w.latency_increase_ms, inside - before, 0.5 + stall(), `${name}: its rise over the p50 before the first fault`);
      continue;
    }
    t.ok(firstFail, `${name}: the test saw a failure in the window`);
    near(t, w.detection_ms, (firstFail?.end ?? NaN) - from, 2 + stall(), `${name}: detection = applied → the end of the first failure the test saw`);
    if (w.fault === 'partition:blackhole') {
      t.equal(w.detection_bound, 'client_timeout', `${name}: only the client timeout sees a black hole`);
      near(t, (firstFail?.end ?? 0) - (firstFail?.start ?? 0), TIMEOUT, 50, `${name}: the failing attempt lasted the timeout`);
      t.equal(w.transport_detection_ms, null, `${name}: the transport saw nothing`);
    } else {
      t.equal(w.detection_bound, 'fault', `${name}: the fault itself was seen`);
      // Request-level detection includes the pause before the next request, and nothing else: the
      // detecting attempt is the first one the probe started after the fault (or in flight at it).
      const started = mine.filter((s) => s.end >= from && s.start < (firstFail?.start ?? 0));
      t.same(started, [], `${name}: the first attempt after the fault was the one that failed (${w.detection_ms} ms, pacing ${INTERVAL} ms)`);
    }
    if (w.fault === 'partition:drop' || w.fault === 'partition:refuse') {
      const socket = sockets.find((at) => on(at) >= from - 0.01 && on(at) < to);
      near(t, w.transport_detection_ms, on(socket ?? NaN) - from, 5 + stall(), `${name}: transport detection = the first socket event the test saw`);
      t.ok((w.transport_detection_ms ?? Infinity) <= (w.detection_ms ?? 0), `${name}: the socket saw it no later than the next request did`);
    }
  }

  // Phases by hand, from the attempts the test saw (one attempt per request here) and the windows' truths.
  const spans = applied.map((a, i) => [a, healed[i] as number] as const);
  const phaseOf = (s: Seen): string => {
    if (spans.some(([a, h]) => s.start < h && s.end >= a)) return 'during';
    if (s.start < (spans[0] as readonly [number, number])[0]) return 'before';
    return s.start >= (spans.at(-1) as readonly [number, number])[1] ? 'after' : 'between';
  };
  const mine = probe.seen.map((s) => ({ ...s, start: on(s.start), end: on(s.end) }));
  const count = (phase: string): [number, number] => {
    const list = mine.filter((s) => phaseOf(s) === phase);
    return [list.length, list.filter((s) => s.ok).length];
  };
  const phases = result.paths['primary']?.phases;
  for (const phase of ['before', 'during', 'between', 'after'] as const) {
    t.same([phases?.[phase].requests, phases?.[phase].ok], count(phase), `${kind}: ${phase} holds the requests the test counted`);
  }
  const before = mine.filter((s) => phaseOf(s) === 'before');
  const beforeRps = (before.filter((s) => s.ok).length / (Math.max(...before.map((s) => s.end)) - Math.min(...before.map((s) => s.start)))) * 1000;
  const beforeSpan = Math.max(...before.map((s) => s.end)) - Math.min(...before.map((s) => s.start));
  // The harness stamps a request a few statements before the test stamps its attempt: on a loaded
  // machine a preemption or a GC pause can fall between the two, hence 5 ms on spans (not on events).
  near(t, phases?.before.duration_ms, beforeSpan, 5 + stall(), `${kind}: before lasted from the first request to the end of its last`);
  near(t, phases?.before.rps, beforeRps, beforeRps * ((5 + stall()) / beforeSpan), `${kind}: throughput before = ok ÷ the time it lasted`);
  const during = spans.reduce((sum, [a, h]) => sum + (h - a), 0);
  near(t, phases?.during.duration_ms, during, 0.1, `${kind}: during lasted the sum of the windows`);
  const after = mine.filter((s) => phaseOf(s) === 'after');
  const afterRps = (after.filter((s) => s.ok).length / (Math.max(...after.map((s) => s.end)) - (spans.at(-1) as readonly [number, number])[1])) * 1000;
  const afterSpan = Math.max(...after.map((s) => s.end)) - (spans.at(-1) as readonly [number, number])[1];
  near(t, phases?.after.rps, afterRps, afterRps * ((5 + stall()) / afterSpan), `${kind}: throughput after = ok ÷ (last heal → last request)`);
}

t.test('tcp probe: every window figure matches what the proxy and the sockets really did', (t) => run(t, 'tcp'));
t.test('http probe: every window figure matches what the proxy and the sockets really did', (t) => run(t, 'http'));
