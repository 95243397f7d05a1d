import t from 'tap';
import { computeFlags } from '../../harness/flags.js';
import { pathPhases } from '../../harness/metrics.js';
import { percentile } from '../../harness/stats.js';
import { windowsOfPath } from '../../harness/windows.js';
import { reconcile } from '../../harness/reconcile.js';
import { parseScenario, policySchema } from '../../harness/scenario.js';
import { Timeline, type Outcome } from '../../harness/timeline.js';

/** A timeline built by hand: requests every 10 ms, 2 ms each; a fault or heal is requested 5 ms before the next request and applied `applied` ms later. */
function timeline(spec: Array<string | ['fault' | 'heal', number]>, path = 'primary', tl = new Timeline(0, 0)): Timeline {
  let now = 0;
  let faulted = false;
  let epoch = 0;
  let n = 0;
  for (const item of spec) {
    if (Array.isArray(item)) {
      const [type, applied] = item;
      tl.add({ type, path, fault: type === 'fault' ? 'partition:drop' : 'heal', requested: now - 5, applied: now - 5 + applied, source: 'proxy-event' });
      faulted = type === 'fault';
      if (type === 'heal') epoch++;
      continue;
    }
    for (const c of item) {
      const outcome: Outcome = c === '.' ? 'ok' : c === 'q' ? 'queued' : c === 'c' ? 'cached' : 'failed';
      const start = now;
      const end = start + 2;
      tl.add({
        type: 'request',
        id: `${path}-${++n}`,
        path,
        kind: 'write',
        faulted,
        epoch,
        start,
        end,
        attempts: [{ ok: outcome === 'ok', ...(outcome === 'ok' ? {} : { error: 'ECONNRESET' }), start, end }],
        outcome,
      });
      now += 10;
    }
  }
  return tl;
}

const scenario = (extra: Record<string, unknown> = {}) =>
  parseScenario({ name: 's', type: 'S', title: 'S', steps: [{ send: 1 }], expect: {}, ...extra }, 'test');
const policy = policySchema.parse({});
const noLoss = { checked: true, acknowledged: 0, applied_unacknowledged: [], failed_not_applied: [], duplicated: [], lost: [], undelivered_queued: [], lost_writes: [] };

t.test('percentile is nearest-rank', async (t) => {
  t.equal(percentile([], 50), null);
  t.equal(percentile([5, 1, 3], 50), 3);
  t.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99), 10);
  t.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50), 5);
});

t.test('detection, loss window and recovery are measured from the proxy-applied times', async (t) => {
  const tl = timeline(['.....', ['fault', 1], 'xxxxx', ['heal', 1], '.....']);
  // fault requested at 45, applied at 46; first failure ends at 52; heal requested at 95, applied 96;
  // requests after it end at 102, 112, 122.
  const [w] = windowsOfPath(tl, 'primary');
  t.equal(w?.detection_ms, 6);
  t.equal(w?.detection_bound, 'fault');
  t.equal(w?.loss_window_ms, 50, 'first failure (52) → first success after it (102)');
  t.equal(w?.recovery_ms, 6, 'heal applied (96) → first success (102)');
  t.equal(w?.recovery_attempts, 1);
  t.equal(w?.recovery_stable_ms, 26, 'heal applied → the end of the third success in a row (122)');
});

t.test('a timeout as first failure marks detection as bound by the client timeout', async (t) => {
  const tl = new Timeline(0, 0);
  tl.add({ type: 'fault', path: 'primary', fault: 'partition:blackhole', requested: 0, applied: 1, source: 'proxy-event' });
  tl.add({ type: 'request', id: 'a', path: 'primary', kind: 'write', faulted: true, epoch: 0, start: 2, end: 502, attempts: [{ ok: false, error: 'timeout', start: 2, end: 502 }], outcome: 'failed' });
  const [w] = windowsOfPath(tl, 'primary');
  t.equal(w?.detection_ms, 501);
  t.equal(w?.detection_bound, 'client_timeout');
});

t.test('flags: a full partition with recovery passes the plan rule', async (t) => {
  const flags = computeFlags(timeline(['.....', ['fault', 1], 'xxxxxxxxxx', ['heal', 1], '.....']), scenario(), policy, noLoss);
  t.same(flags, { connection_lost: true, recovery_success: true, data_lost: false, cascading_failure: false, graceful_degradation: true });
});

t.test('flags: isolated failures are not a lost connection', async (t) => {
  const flags = computeFlags(timeline([['fault', 1], '..x..x.xx...x..x..x.', ['heal', 1]]), scenario(), policy, noLoss);
  t.equal(flags.connection_lost, false, 'runs of at most 2 failures');
  t.equal(flags.recovery_success, true);
});

t.test('flags: recovery rules all / most / any', async (t) => {
  const tl = timeline(['..', ['fault', 1], 'xxx', ['heal', 1], 'x..']);
  t.equal(computeFlags(tl, scenario({ recovery: 'all' }), policy, noLoss).recovery_success, false);
  t.equal(computeFlags(tl, scenario({ recovery: 'most' }), policy, noLoss).recovery_success, true);
  t.equal(computeFlags(timeline(['..', ['fault', 1], 'xxx', ['heal', 1], 'xx.']), scenario({ recovery: 'most' }), policy, noLoss).recovery_success, false);
  t.equal(computeFlags(timeline(['..', ['fault', 1], 'xxx', ['heal', 1], 'xx.']), scenario({ recovery: 'any' }), policy, noLoss).recovery_success, true);
});

t.test('flags: a failure on an unfaulted path is a cascade; right after a heal it is not', async (t) => {
  const tl = timeline(['..', ['fault', 1], 'xxx', ['heal', 1], '...'], 'primary');
  timeline(['...x..'], 'secondary', tl);
  const two = scenario({ paths: ['primary', 'secondary'] });
  t.equal(computeFlags(tl, two, policy, noLoss).cascading_failure, true);
  const settled = timeline(['..', ['fault', 1], 'xxx', ['heal', 1], 'x..']);
  t.equal(computeFlags(settled, scenario(), policy, noLoss).cascading_failure, false);
});

t.test('flags: graceful degradation needs the success ratio and no hung request', async (t) => {
  t.equal(computeFlags(timeline(['x.xxxxx']), scenario({ min_success_ratio: 0.25 }), policy, noLoss).graceful_degradation, false);
  t.equal(computeFlags(timeline(['x.x.xx.']), scenario({ min_success_ratio: 0.25 }), policy, noLoss).graceful_degradation, true);
  const hung = new Timeline(0, 0);
  hung.add({ type: 'request', id: 'h', path: 'primary', kind: 'write', faulted: false, epoch: 0, start: 0, end: 60_000, attempts: [], outcome: 'ok' });
  t.equal(computeFlags(hung, scenario(), policy, noLoss).graceful_degradation, false, 'a request that took 60 s hung');
});

t.test('reconcile sorts every write into its outcome against the ledger', async (t) => {
  const tl = timeline(['..xq', ['fault', 1], 'qx', ['heal', 1], '.']);
  tl.add({ type: 'replay', id: 'primary-4', path: 'primary', start: 100, end: 101, ok: true });
  const ledger = new Map([
    ['primary-1', 1],
    ['primary-2', 0],
    ['primary-3', 1],
    ['primary-4', 2],
    ['primary-6', 0],
    ['primary-7', 1],
  ]);
  const r = reconcile(tl, ledger);
  t.same(r, {
    checked: true,
    acknowledged: 4,
    applied_unacknowledged: ['primary-3'],
    failed_not_applied: ['primary-6'],
    duplicated: ['primary-4'],
    lost: ['primary-2'],
    undelivered_queued: ['primary-5'],
    lost_writes: ['primary-2', 'primary-5', 'primary-6'],
  });
  t.equal(computeFlags(tl, scenario(), policy, r).data_lost, true);
  const unchecked = reconcile(tl, undefined);
  t.equal(unchecked.checked, false);
  t.same(unchecked.undelivered_queued, ['primary-5'], 'without a ledger only the client side is known');
  t.same(unchecked.failed_not_applied, ['primary-3', 'primary-6'], 'writes never acknowledged count as given up');
});

t.test('a write the client gave up is lost data; a failed write that was applied is not', async (t) => {
  const tl = timeline(['.x']);
  t.equal(computeFlags(tl, scenario(), policy, reconcile(tl, new Map([['primary-1', 1]]))).data_lost, true, 'primary-2 never arrived');
  const applied = new Map([
    ['primary-1', 1],
    ['primary-2', 1],
  ]);
  t.equal(computeFlags(tl, scenario(), policy, reconcile(tl, applied)).data_lost, false, 'primary-2 was applied, only unacknowledged');
});

t.test('phases split latency and throughput before, during and after the fault', async (t) => {
  const tl = timeline(['....', ['fault', 1], 'xx', ['heal', 1], '..']);
  const p = pathPhases(tl.requests('primary'), windowsOfPath(tl, 'primary'));
  t.equal(p.before.latency.samples, 4);
  t.equal(p.during.latency.samples, 0);
  t.equal(p.after.latency.samples, 2);
  t.equal(p.before.latency.p50, 2);
});
