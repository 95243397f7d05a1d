import t from 'tap';
import { pathPhases } from '../../harness/metrics.js';
import { buildResult } from '../../harness/result.js';
import { parseScenario, policySchema } from '../../harness/scenario.js';
import { Timeline, type Outcome } from '../../harness/timeline.js';
import { windowsOfPath } from '../../harness/windows.js';

/** A hand-made timeline: every time is given, so each figure can be worked out by hand. */
class Script {
  readonly tl = new Timeline(0, 0);
  #n = 0;

  fault(path: string, fault: string, applied: number): this {
    this.tl.add({ type: 'fault', path, fault, requested: applied - 1, applied, source: 'proxy-event' });
    return this;
  }

  heal(path: string, applied: number): this {
    this.tl.add({ type: 'heal', path, fault: 'heal', requested: applied - 1, applied, source: 'proxy-event' });
    return this;
  }

  /** A one-attempt request; `error` undefined = success. */
  req(path: string, start: number, end: number, error?: string, outcome: Outcome = error ? 'failed' : 'ok'): this {
    const attempt = { ok: error === undefined, ...(error ? { error } : {}), start, end };
    this.tl.add({ type: 'request', id: `${path}-${++this.#n}`, path, kind: 'write', faulted: false, epoch: 0, start, end, attempts: [attempt], outcome });
    return this;
  }

  transport(path: string, at: number, kind = 'ECONNRESET'): this {
    this.tl.add({ type: 'transport', path, at, kind });
    return this;
  }
}

const scenario = (paths = ['primary']) => parseScenario({ name: 's', type: 'S', title: 'S', paths, steps: [{ send: 1 }], expect: {} }, 'test');
const result = (s: Script, paths?: string[]) =>
  buildResult({
    scenario: scenario(paths),
    policy: policySchema.parse({}),
    timeline: s.tl,
    counters: { retries: 0, queued: 0, cached: 0 },
    ledger: undefined,
    leaks: null,
    probe: 'tcp',
    seed: '1',
    error: null,
    emulated: [],
    notes: [],
    client: null,
  });

t.test('each fault step is its own window: a latency step before a drop never counts in the drop’s detection', async (t) => {
  const s = new Script()
    .req('primary', 0, 2).req('primary', 10, 12)
    .fault('primary', 'latency', 20)
    .req('primary', 30, 82).req('primary', 90, 142)
    .heal('primary', 150)
    .req('primary', 160, 162)
    .fault('primary', 'partition:drop', 1270)
    .transport('primary', 1271.5)
    .req('primary', 1290, 1294.5, 'ECONNRESET').req('primary', 1310, 1311, 'ECONNRESET')
    .heal('primary', 1400)
    .req('primary', 1420, 1423).req('primary', 1440, 1442).req('primary', 1460, 1462);
  const [latency, drop] = windowsOfPath(s.tl, 'primary');
  t.same(
    { fault: latency?.fault, applied: latency?.applied_ms, healed: latency?.healed_ms, detection: latency?.detection_ms, failed: latency?.failed_requests },
    { fault: 'latency', applied: 20, healed: 150, detection: null, failed: 0 },
    'the latency window saw no failure: no detection',
  );
  t.equal(latency?.latency_p50_ms, 52, 'its p50 round trip');
  t.equal(latency?.latency_increase_ms, 50, 'and its rise over the p50 before the first fault (2 ms)');
  t.equal(drop?.detection_ms, 24.5, 'drop applied at 1270 → first failure ended at 1294.5');
  t.equal(drop?.transport_detection_ms, 1.5, 'the probe’s socket saw the reset at 1271.5');
  t.equal(drop?.loss_window_ms, 128.5, '1294.5 → first success at 1423');
  t.equal(drop?.recovery_ms, 23, 'heal at 1400 → 1423');
  t.equal(drop?.recovery_stable_ms, 62, 'heal → the end of the third success in a row (1462)');
  t.equal(drop?.requests, 2);
  t.equal(drop?.failed_requests, 2);
  const r = result(s);
  t.equal(r.metrics.connection_loss_time_ms, 24.5, 'the seed’s connection_loss_time_ms is the first window that caused a failure');
  t.equal(r.metrics.recovery_time_ms, 23, 'and recovery_time_ms the last healed window that had failures');
  t.equal(r.metrics.transport_detection_time_ms, 1.5);
  t.same(r.windows.map((w) => w.fault), ['latency', 'partition:drop']);
});

t.test('ten partitions give ten windows, each measured, with p50 / p99 / max over them', async (t) => {
  const s = new Script();
  const detections: number[] = [];
  for (let i = 0; i < 10; i++) {
    const base = i * 1000;
    s.req('primary', base, base + 2).fault('primary', 'partition:drop', base + 10);
    const detect = 5 + i;
    detections.push(detect);
    s.req('primary', base + 10 + detect - 1, base + 10 + detect, 'ECONNRESET').heal('primary', base + 500);
    s.req('primary', base + 500 + 2 * (i + 1) - 1, base + 500 + 2 * (i + 1));
  }
  const r = result(s);
  t.equal(r.windows.length, 10);
  t.same(r.windows.map((w) => w.detection_ms), detections);
  t.same(r.windows.map((w) => w.recovery_ms), [2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
  t.same(r.metrics.over_windows.detection_ms, { p50: 9, p99: 14, max: 14, samples: 10 });
  t.same(r.metrics.over_windows.recovery_ms, { p50: 10, p99: 20, max: 20, samples: 10 });
  t.equal(r.metrics.recovery_time_ms, 20, 'recovery_time_ms: the last healed window with failures');
  t.same(r.paths['primary']?.over_windows.recovery_ms, r.metrics.over_windows.recovery_ms, 'per path as well');
});

t.test('a failure belongs to the latest fault applied before it ended and not healed when it started', async (t) => {
  const s = new Script()
    .req('primary', 0, 2)
    .fault('primary', 'latency', 10)
    .req('primary', 20, 70, 'timeout')
    .fault('primary', 'partition:drop', 100)
    .req('primary', 90, 103, 'ECONNRESET')
    .transport('primary', 101)
    .heal('primary', 200)
    .req('primary', 210, 212);
  const [latency, drop] = windowsOfPath(s.tl, 'primary');
  t.equal(latency?.detection_ms, 60, 'the timeout during the latency alone is the latency window’s');
  t.equal(latency?.detection_bound, 'client_timeout');
  t.equal(latency?.healed_ms, 200, 'one heal closes both windows');
  t.equal(drop?.detection_ms, 3, 'the request in flight when the drop came is the drop’s');
  t.equal(drop?.transport_detection_ms, 1);
  t.equal(latency?.transport_detection_ms, null, 'a transport event goes to one window only');
});

t.test('recovery counts only before the next fault; a window never healed has none', async (t) => {
  const s = new Script()
    .fault('primary', 'partition:drop', 0)
    .req('primary', 5, 6, 'ECONNRESET')
    .heal('primary', 10)
    .req('primary', 15, 16, 'ECONNRESET')
    .fault('primary', 'partition:blackhole', 20)
    .req('primary', 25, 525, 'timeout');
  const [first, second] = windowsOfPath(s.tl, 'primary');
  t.equal(first?.recovery_ms, null, 'the path failed until the next fault');
  t.equal(first?.recovery_attempts, 1);
  t.equal(second?.healed_ms, null);
  t.equal(second?.recovery_ms, null);
  t.equal(second?.detection_ms, 505);
  t.equal(second?.transport_detection_ms, null, 'a black hole shows nothing on the transport');
});

t.test('phases: before, during, between and after, each over the time it lasted', async (t) => {
  const s = new Script()
    .req('primary', 0, 10).req('primary', 20, 30).req('primary', 40, 50) // before: 3 ok in 50 ms
    .fault('primary', 'partition:drop', 100)
    .req('primary', 110, 111, 'ECONNRESET', 'queued').req('primary', 150, 151, 'ECONNRESET', 'queued')
    .heal('primary', 300) // during: 200 ms
    .req('primary', 310, 320).req('primary', 330, 340) // between: 2 ok in 40 ms
    .fault('primary', 'partition:refuse', 400)
    .req('primary', 410, 420, 'ECONNREFUSED')
    .heal('primary', 500) // during: + 100 ms
    .req('primary', 520, 530).req('primary', 540, 550).req('primary', 560, 580).req('primary', 590, 600); // after: 4 ok in 100 ms
  const p = pathPhases(s.tl.requests('primary'), windowsOfPath(s.tl, 'primary'));
  t.same(
    Object.fromEntries(Object.entries(p).map(([k, v]) => [k, [v.requests, v.ok, v.duration_ms, v.rps]])),
    { before: [3, 3, 50, 60], during: [3, 0, 300, 0], between: [2, 2, 40, 50], after: [4, 4, 100, 40] },
    'requests, ok, duration and req/s per phase',
  );
  t.same(p.after.latency, { p50: 10, p99: 20, max: 20, samples: 4 });
  const r = result(s);
  t.equal(r.metrics.throughput_degradation, 0, 'during ÷ before');
  t.equal(r.metrics.recovered_throughput, 0.667, 'after ÷ before');
  t.same(r.metrics.throughput_rps, { before: 60, during: 0, between: 50, after: 40 });
});

t.test('a path never faulted is before throughout, reported as unfaulted, and left out of the scenario’s phases', async (t) => {
  const s = new Script()
    .req('primary', 0, 10)
    .fault('primary', 'partition:blackhole', 20)
    .req('primary', 30, 530, 'timeout')
    .heal('primary', 600)
    .req('primary', 610, 620)
    .req('secondary', 0, 10).req('secondary', 200, 210).req('secondary', 400, 410).req('secondary', 600, 610);
  const r = result(s, ['primary', 'secondary']);
  const secondary = r.paths['secondary'];
  t.equal(secondary?.faulted, false);
  t.same([secondary?.phases.before.requests, secondary?.phases.during.requests, secondary?.phases.after.requests], [4, 0, 0]);
  t.equal(secondary?.phases.before.rps, 6.56, '4 ok in 610 ms');
  t.equal(r.paths['primary']?.faulted, true);
  t.same(r.metrics.throughput_rps, { before: 100, during: 0, between: null, after: 50 }, 'only the faulted path counts for the scenario');
  t.equal(r.cascading_failure, false);
});

t.test('timed by the API’s answer (no proxy events), a window owns what happens from the fault’s request to the heal’s', async (t) => {
  const tl = new Timeline(0, 0);
  tl.add({ type: 'fault', path: 'primary', fault: 'partition:refuse', requested: 100, applied: 104, source: 'api-response' });
  tl.add({ type: 'transport', path: 'primary', at: 103.5, kind: 'closed' });
  tl.add({ type: 'request', id: 'a', path: 'primary', kind: 'write', faulted: true, epoch: 0, start: 120, end: 121, attempts: [{ ok: false, error: 'ECONNREFUSED', start: 120, end: 121 }], outcome: 'failed' });
  tl.add({ type: 'heal', path: 'primary', fault: 'heal', requested: 500, applied: 506, source: 'api-response' });
  tl.add({ type: 'transport', path: 'primary', at: 503, kind: 'closed' });
  const [w] = windowsOfPath(tl, 'primary');
  t.equal(w?.transport_detection_ms, 0, 'the close came before the answer: the fault had already acted (0, not negative)');
  t.equal(w?.detection_ms, 17);
  const late = new Timeline(0, 0);
  late.add({ type: 'fault', path: 'primary', fault: 'partition:blackhole', requested: 100, applied: 104, source: 'api-response' });
  late.add({ type: 'heal', path: 'primary', fault: 'heal', requested: 500, applied: 506, source: 'api-response' });
  late.add({ type: 'transport', path: 'primary', at: 503, kind: 'closed' });
  t.equal(windowsOfPath(late, 'primary')[0]?.transport_detection_ms, null, 'a close the heal caused is not the fault’s detection');
});
