/** Scenario steps with a `clients` selector: parsed with the API's own validation, planned onto the toxics. */
import t from 'tap';
import type { Capabilities } from '../../harness/capabilities.js';
import { planScenario } from '../../harness/plan.js';
import { parseScenario, type Step } from '../../harness/scenario.js';
import { toxicDefinitions } from '../../proxy/toxics/catalog.js';

const faultline: Capabilities = { server: 'faultline 0.1.0', faultline: true, toxics: new Map(toxicDefinitions().map((d) => [d.type, []])) };
const toxiproxy: Capabilities = { server: 'Toxiproxy 2.12.0', faultline: false, toxics: new Map([['timeout', ['timeout']], ['reset_peer', ['timeout']]]) };

const steps = (list: unknown[]): Step[] => parseScenario({ name: 's', type: 'S', title: 'S', steps: list, expect: {} }, 'test').steps;

t.test('partition and toxic steps pass their clients selector onto every toxic they plan (seed filled in)', async (t) => {
  const parsed = steps([
    { partition: { mode: 'drop', clients: { fraction: 0.5 } } },
    { partition: { mode: 'blackhole', clients: { addresses: ['127.0.0.2'] } } },
    { toxic: { type: 'cut_after', attributes: { after_ms: 100 }, clients: { ids: [3, 7] } } },
    { partition: { mode: 'drop' } },
  ]);
  const plan = planScenario(parsed, () => faultline);
  const of = (i: number) => plan.faults.get(parsed[i] as Step)?.toxics.map((x) => [x.type, x.clients]);
  t.same(of(0), [['drop', { fraction: 0.5, seed: 0 }]]);
  t.same(of(1), [['blackhole', { addresses: ['127.0.0.2'] }], ['blackhole', { addresses: ['127.0.0.2'] }]]);
  t.same(of(2), [['cut_after', { ids: [3, 7] }]]);
  t.same(of(3), [['drop', undefined]], 'no selector: every connection');
});

t.test('a bad selector, or one on a refuse partition, stops the scenario naming the step and field', async (t) => {
  t.throws(() => steps([{ partition: { mode: 'drop', clients: { fraction: 2 } } }]), { message: /steps\[0\]\.partition\.clients\.fraction: must be <= 1/ });
  t.throws(() => steps([{ wait: 1 }, { toxic: { type: 'drop', clients: { addresses: ['x'] } } }]), { message: /steps\[1\]\.toxic\.clients\.addresses\.0: must be an IP address/ });
  t.throws(() => steps([{ partition: { mode: 'refuse', clients: { ids: [1] } } }]), { message: /steps\[0\]\.partition\.clients: a refuse partition stops the listener/ });
});

t.test('on a server without faultline a step with clients is refused, not run on every connection', async (t) => {
  const parsed = steps([{ partition: { mode: 'blackhole', clients: { fraction: 0.5 } } }]);
  t.match(planScenario(parsed, () => toxiproxy).refused, /^steps\[0\]\.partition\.clients: Toxiproxy 2\.12\.0 ignores "clients"/);
});
