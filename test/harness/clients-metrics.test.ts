/** The pure parts of many clients: the reconnect wave, spared clients that fail, the recovery budget, pacing, scenario validation. */
import t from 'tap';
import { builtinScenarios, CLIENT_SCENARIOS } from '../../harness/builtins.js';
import { clientsRecovered, spilledFailures } from '../../harness/clients.js';
import { parseScenario, ScenarioError } from '../../harness/scenario.js';
import { lagDuring } from '../../harness/overhead.js';
import { runScenarios } from '../../harness/run-scenarios.js';
import { clientInterval } from '../../harness/send-many.js';
import { waveOf } from '../../harness/storm.js';
import { Timeline, type RequestEntry } from '../../harness/timeline.js';
import type { FaultWindow } from '../../harness/windows.js';

t.test('a reconnect wave: buckets of 10 ms from the heal, peak, last reconnect and the most open at once', async (t) => {
  const opened = (at: number, connection: number) => ({ at, event: 'opened' as const, connection });
  const closed = (at: number, connection: number) => ({ at, event: 'closed' as const, connection });
  // Two connections open before the heal at 100 (one closes before it), then five reconnects.
  const events = [opened(10, 1), opened(20, 2), closed(50, 1), opened(101, 3), opened(104, 4), opened(109, 5), closed(112, 2), opened(125, 6), opened(163, 7), opened(900, 8)];
  const wave = waveOf(events, 100, 500);
  t.same(wave.buckets, [3, 0, 1, 0, 0, 0, 1], 'three in the first 10 ms, one at 25, one at 63; the one after the next fault is not counted');
  t.equal(wave.connections, 5);
  t.equal(wave.peak_per_bucket, 3);
  t.equal(wave.peak_rate_per_s, 300);
  t.equal(wave.last_reconnect_ms, 63);
  t.equal(wave.upstream_peak, 5, 'connection 2 (open at the heal) plus 3, 4, 5 at 109; 2 closed before 6 and 7 opened');
  const quiet = waveOf([opened(10, 1)], 100, 500);
  t.same({ connections: quiet.connections, buckets: quiet.buckets, last: quiet.last_reconnect_ms, peak: quiet.upstream_peak }, { connections: 0, buckets: [], last: null, peak: 1 }, 'no reconnect: the one still open is the peak');
});

const request = (client: number, start: number, outcome: RequestEntry['outcome']): RequestEntry => ({
  type: 'request', id: `r${client}-${start}`, path: 'primary', client, kind: 'write', faulted: false, epoch: 0, start, end: start + 5,
  attempts: [{ ok: outcome === 'ok', start, end: start + 5 }], outcome,
});

t.test('a failed request of a client the fault spared by address is a spilled failure', async (t) => {
  const timeline = new Timeline(0, 0);
  const fault = { type: 'fault' as const, path: 'primary', fault: 'partition:drop', requested: 100, applied: 100, source: 'proxy-event' as const, detail: { proxy: 'p', clients: { addresses: ['127.0.0.2'] } } };
  timeline.add(fault);
  timeline.add({ ...fault, type: 'heal', fault: 'heal', requested: 300, applied: 300, detail: { proxy: 'p' } });
  for (const entry of [request(0, 150, 'ok'), request(1, 150, 'queued'), request(2, 160, 'failed'), request(0, 400, 'failed')]) timeline.add(entry);
  const scenario = { paths: ['primary'], client_addresses: { primary: ['127.0.0.1', '127.0.0.2'] } };
  t.same(spilledFailures(timeline, scenario).map((r) => r.id), ['r2-160'], 'client 2 (127.0.0.1) failed inside the window; client 1 is the one cut off; after the heal is not the window');
  t.same(spilledFailures(timeline, { paths: ['primary'], client_addresses: {} }), [], 'without addresses nobody can say');
});

t.test('clients_recovered: every affected client recovered, the last within the budget', async (t) => {
  const window = (all: number | null, unrecovered = 0): FaultWindow =>
    ({ path: 'primary', fault: 'partition:drop', applied_ms: 0, healed_ms: 100, clients: { all_recovered_ms: all, unrecovered, affected: 3 } }) as unknown as FaultWindow;
  t.same(clientsRecovered([window(50)], 1650), { ok: true });
  t.match(clientsRecovered([window(2000)], 1650), { ok: false, why: /recovered 2000 ms after the heal.*budget 1650 ms/ });
  t.match(clientsRecovered([window(null, 2)], 1650), { ok: false, why: /2 of 3 clients never recovered/ });
});

t.test('pacing: rps is shared by the clients, rate is each one\'s, interval_ms wins when given', async (t) => {
  t.equal(clientInterval({}, { rps: 100 }, 50, 20), 500, '100 req/s over 50 clients: each every 500 ms');
  t.equal(clientInterval({}, { rate: 4 }, 50, 20), 250);
  t.equal(clientInterval({ rate: 2 }, {}, 50, 20), 500, "the scenario's rate");
  t.equal(clientInterval({ rps: 10 }, { rate: 5 }, 50, 20), 200, "a step's rate beats the scenario's rps");
  t.equal(clientInterval({ rate: 2 }, { interval_ms: 30 }, 50, 20), 30);
  t.equal(clientInterval({}, {}, 50, 20), 20);
});

t.test('scenario validation names the field and the reason', async (t) => {
  const base = { name: 's', type: 't', title: 't', expect: {} };
  const bad = (extra: object, message: RegExp): void => {
    let error: unknown;
    try {
      parseScenario({ ...base, ...extra }, 'f.yaml');
    } catch (err) {
      error = err;
    }
    t.ok(error instanceof ScenarioError && message.test(error.message), `${String(message)}: ${(error as Error | undefined)?.message}`);
  };
  bad({ paths: [{ name: 'primary', clients: 1001 }], steps: [{ send: 1 }] }, /paths\[0\]\.clients: Too big/);
  bad({ steps: [{ send: { count: 1, rate: 2, rps: 10 } }] }, /at most one of interval_ms, rate \(per client\) and rps/);
  bad({ paths: [{ name: 'primary', client_addresses: ['10.0.0.1'] }], steps: [{ send: 1 }] }, /must be a loopback address/);
  bad({ steps: [{ partition: { mode: 'refuse', clients: { fraction: 0.5 } } }] }, /steps\[0\]\.partition\.clients: a refuse partition stops the listener/);
  bad({ steps: [{ partition: { mode: 'drop', clients: { fraction: 2 } } }] }, /steps\[0\]\.partition\.clients\.fraction: must be <= 1/);
  const ok = parseScenario({ ...base, paths: [{ name: 'primary', clients: 3 }], steps: [{ send: { count: 1, clients: 7 } }, { partition: { mode: 'drop', clients: { fraction: 0.5, seed: 7 } } }] }, 'f');
  t.same(ok.clients, { primary: 7 }, 'a send step asking for more clients than the path names raises the count');
  t.same((ok.steps[1] as { partition: { clients: unknown } }).partition.clients, { fraction: 0.5, seed: 7 });
});

t.test('the clients suite: reconnect_storm has 200 clients, split_brain 100 of which half connect from 127.0.0.2', async (t) => {
  const [storm, split] = await builtinScenarios(CLIENT_SCENARIOS);
  t.same(storm?.clients, { primary: 200 });
  t.same(split?.clients, { primary: 100 });
  t.same(split?.client_addresses, { primary: ['127.0.0.1', '127.0.0.2'] });
  t.same((split?.steps[1] as { partition: { clients: unknown } }).partition.clients, { addresses: ['127.0.0.2'] });
  t.same(split?.expect, { connection_lost: true, recovery_success: true, data_lost: false, cascading_failure: false, clients_recovered: true });
});

t.test('a scenario whose clients connect from given addresses is skipped, with the reason, by probes other than http', async (t) => {
  const [, split] = await builtinScenarios(CLIENT_SCENARIOS);
  const skipped: string[] = [];
  const results = await runScenarios({
    proxyUrl: 'http://127.0.0.1:9',
    probe: 'tcp',
    upstream: { address: '127.0.0.1:9' },
    scenarios: [split!],
    onSkip: (scenario, reason) => skipped.push(`${scenario.name}: ${reason}`),
  });
  t.same(results, []);
  t.same(skipped, ['split_brain: its clients connect from given addresses (client_addresses), which only the http probe does']);
});

t.test("a window measured while the harness's loop lagged more than 10 ms carries the worst lag", async (t) => {
  const window = { applied_ms: 100 } as FaultWindow;
  t.equal(lagDuring([{ at: 150, lag_ms: 30 }, { at: 160, lag_ms: 45 }], window, 400), 45, 'the worst one inside');
  t.equal(lagDuring([{ at: 80, lag_ms: 25 }], window, 400), 25, 'a lag that began before the window and ran into it counts');
  t.equal(lagDuring([{ at: 50, lag_ms: 20 }, { at: 450, lag_ms: 80 }], window, 400), undefined, 'before it, or after the next window began: not this one');
  t.equal(lagDuring([{ at: 150, lag_ms: 10 }], window, 400), undefined, '10 ms is not more than 10 ms');
});
