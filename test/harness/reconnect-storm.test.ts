/**
 * Reconnect storms and faults on some clients, end to end: a known number of clients lose their
 * connections and come back at once, and the wave the proxy reports counts exactly them; half the
 * clients (by address) are cut off, and the other half is untouched.
 */
import t from 'tap';
import type { ScenarioResult } from '../../harness/result.js';
import { parseScenario } from '../../harness/scenario.js';
import { runDemo } from '../helpers/harness.js';

t.test('the reconnect wave counts exactly the clients that reconnect after the heal', async (t) => {
  const clients = 40;
  const scenario = parseScenario(
    {
      name: 'known_storm',
      type: 'ReconnectStorm',
      title: 'a known storm',
      paths: [{ name: 'primary', clients }],
      rate: 5,
      // One attempt, no queue: after the heal each client sends one request on one new connection.
      policy: { attempts: 1, queue: false, timeout_ms: 5000 },
      steps: [{ send: 1 }, { partition: { mode: 'drop' } }, { send: 1 }, { heal: {} }, { send: { count: 1, start: 'together' } }],
      expect: {},
    },
    'test',
  );
  const result = (await runDemo(t, 'http', [scenario])).results[0] as ScenarioResult;
  const wave = result.windows[0]?.reconnect;
  t.ok(wave, 'the window has a reconnect wave');
  if (!wave) return;
  t.equal(result.windows[0]?.clients?.affected, clients, 'every client lost its connection in the partition');
  t.equal(wave.connections, clients, 'one reconnect per client');
  t.equal(wave.buckets.reduce((a, b) => a + b, 0), clients, 'the buckets hold them all');
  t.equal(wave.upstream_peak, clients, 'and all were open to the upstream at once (keep-alive until the end)');
  t.equal(wave.peak_rate_per_s, wave.peak_per_bucket * 100);
  t.equal(wave.peak_per_bucket, Math.max(...wave.buckets));
  const afterHeal = result.timeline.flatMap((e) => (e.type === 'request' && e.start >= (result.windows[0]?.healed_ms ?? 0) ? [e.end] : []));
  t.ok((wave.last_reconnect_ms ?? Infinity) <= Math.max(...afterHeal) - (result.windows[0]?.healed_ms ?? 0), 'the last reconnect came before the last answer');
  t.equal(wave.buckets.length, Math.floor((wave.last_reconnect_ms as number) / 10) + 1, 'buckets run up to the last reconnect');
});

t.test('a partition of the clients of one address: that half is cut off, the other half untouched', async (t) => {
  const scenario = parseScenario(
    {
      name: 'half_by_address',
      type: 'SplitBrain',
      title: 'half by address',
      paths: [{ name: 'primary', clients: 20, client_addresses: ['127.0.0.1', '127.0.0.2'] }],
      rate: 5,
      policy: { timeout_ms: 5000 },
      steps: [{ send: 1 }, { partition: { mode: 'drop', clients: { addresses: ['127.0.0.2'] } } }, { send: 2 }, { heal: {} }, { send: 2 }],
      expect: { cascading_failure: false, clients_recovered: true, data_lost: false },
    },
    'test',
  );
  const result = (await runDemo(t, 'http', [scenario])).results[0] as ScenarioResult;
  t.ok(result.passed, result.error_message ?? 'passed');
  const outcomes = result.windows[0]?.clients?.outcomes ?? [];
  t.equal(outcomes.length, 20);
  t.same(
    outcomes.map((o) => o.outcome),
    outcomes.map((o) => (o.client % 2 === 1 ? 'recovered' : 'unaffected')),
    'the odd clients (127.0.0.2) were cut off and recovered, the even ones (127.0.0.1) never failed',
  );
  const fault = result.timeline.find((e): e is Extract<typeof e, { type: 'fault' | 'heal' }> => e.type === 'fault');
  t.same(fault?.detail?.['clients'], { addresses: ['127.0.0.2'] }, 'the fault records its selector');
  t.same(result.paths['primary']?.clients?.per_client.slice(0, 2).map((c) => c.address), ['127.0.0.1', '127.0.0.2']);
});
