import t from 'tap';
import type { Capabilities } from '../../harness/capabilities.js';
import { planScenario } from '../../harness/plan.js';
import { parseScenario, type Step } from '../../harness/scenario.js';
import { toxicDefinitions } from '../../proxy/toxics/catalog.js';

const faultline: Capabilities = {
  server: 'faultline 0.1.0',
  faultline: true,
  toxics: new Map(toxicDefinitions().map((d) => [d.type, ['latency', 'jitter', 'distribution']])),
};
const toxiproxy: Capabilities = {
  server: 'Toxiproxy 2.12.0',
  faultline: false,
  toxics: new Map([['latency', ['latency', 'jitter']], ['timeout', ['timeout']], ['reset_peer', ['timeout']], ['limit_data', ['bytes']], ['bandwidth', ['rate']]]),
};

const steps = (list: unknown[]): Step[] => parseScenario({ name: 's', type: 'S', title: 'S', steps: list, expect: {} }, 'test').steps;
const plan = (list: unknown[], caps: Capabilities) => {
  const parsed = steps(list);
  const p = planScenario(parsed, () => caps);
  return { ...p, of: (i: number) => p.faults.get(parsed[i] as Step) };
};

t.test('on a faultline server every fault is native', async (t) => {
  const p = plan([{ partition: { mode: 'drop' } }, { partition: { mode: 'blackhole' } }, { partition: { mode: 'refuse' } }, { flaky: { rate: 0.3, burst_rate: 0.1 } }, { latency: { latency: 50, distribution: 'pareto' } }], faultline);
  t.same(p.emulated, []);
  t.equal(p.refused, null);
  t.same(p.of(0)?.toxics.map((x) => x.type), ['drop']);
  t.same(p.of(1)?.toxics.map((x) => x.type), ['blackhole', 'blackhole']);
  t.same([p.of(2)?.disable, p.of(2)?.toxics], [true, []]);
  t.same(p.of(3)?.toxics[0]?.attributes, { rate: 0.3, action: 'reset', burst_rate: 0.1, burst_length: 1 });
  t.same(p.of(4)?.toxics[0]?.attributes, { latency: 50, jitter: 0, distribution: 'pareto' });
});

t.test('on plain Toxiproxy the faults it lacks are emulated, each named with how it differs', async (t) => {
  const p = plan(
    [
      { partition: { mode: 'drop' } },
      { partition: { mode: 'drop', cut: 'close' } },
      { partition: { mode: 'blackhole' } },
      { partition: { mode: 'refuse' } },
      { flaky: { rate: 0.3, action: 'reset', stream: 'upstream' } },
      { latency: { latency: 100, jitter: 20, distribution: 'pareto' } },
      { latency: { latency: 100, jitter: 20 } },
    ],
    toxiproxy,
  );
  t.equal(p.refused, null);
  t.same(p.of(0)?.toxics.map((x) => [x.type, x.stream, x.attributes]), [['reset_peer', 'upstream', { timeout: 0 }], ['reset_peer', 'downstream', { timeout: 0 }]]);
  t.same(p.of(1)?.toxics.map((x) => [x.type, x.attributes]), [['limit_data', { bytes: 0 }], ['limit_data', { bytes: 0 }]]);
  t.same(p.of(2)?.toxics.map((x) => [x.type, x.attributes]), [['timeout', { timeout: 0 }], ['timeout', { timeout: 0 }]]);
  t.same([p.of(3)?.disable, p.of(3)?.emulation], [true, undefined], 'refuse is native everywhere');
  t.same(p.of(4)?.toxics.map((x) => [x.type, x.stream, x.toxicity, x.attributes]), [['reset_peer', 'upstream', 0.3, { timeout: 0 }]]);
  t.same(p.of(5)?.toxics[0]?.attributes, { latency: 120, jitter: 20 }, 'pareto: floor 100, mean 120, sent as uniform 120 ± 20');
  t.same(p.of(6)?.toxics[0]?.attributes, { latency: 100, jitter: 20 }, 'uniform is native');
  t.equal(p.emulated.length, 5);
  t.match(p.emulated.join('\n'), /partition:drop \(reset\) via reset_peer on both streams: connections are cut at their next byte .*, not at once, and idle ones not at all/);
  t.match(p.emulated.join('\n'), /flaky \(reset, rate 0\.3\) via reset_peer with toxicity 0\.3: drawn once per connection, not per chunk/);
  t.match(p.emulated.join('\n'), /latency pareto \(100, 20\) as uniform 120 ± 20 ms/);
});

t.test('a step with no faithful emulation stops the scenario before it starts, naming the step and what the server lacks', async (t) => {
  t.equal(plan([{ send: 1 }, { flaky: { rate: 0.2, burst_rate: 0.05 } }], toxiproxy).refused, 'steps[1].flaky.burst_rate: Toxiproxy 2.12.0 has no flaky toxic, and no per-connection toxic makes bursts');
  t.equal(plan([{ repeat: { times: 2, steps: [{ toxic: { type: 'drop' } }] } }], toxiproxy).refused, 'steps[0].repeat.steps[0].toxic.type: Toxiproxy 2.12.0 has no "drop" toxic (a faultline toxic)');
  t.equal(plan([{ toxic: { type: 'my_custom_toxic' } }], toxiproxy).refused, null, 'a type faultline does not know either is left to the server');
});
