/** The HTTP toxics as scenario `toxic` steps: validated like the API, native on faultline, refused up front on plain Toxiproxy naming the step. */
import t from 'tap';
import type { Capabilities } from '../../harness/capabilities.js';
import { planScenario } from '../../harness/plan.js';
import { parseScenario, type Step } from '../../harness/scenario.js';
import { toxicDefinitions } from '../../proxy/toxics/catalog.js';

const faultline: Capabilities = {
  server: 'faultline 0.1.0',
  faultline: true,
  toxics: new Map(toxicDefinitions().map((d) => [d.type, []])),
};
const toxiproxy: Capabilities = {
  server: 'Toxiproxy 2.12.0',
  faultline: false,
  toxics: new Map([['latency', ['latency', 'jitter']], ['timeout', ['timeout']], ['reset_peer', ['timeout']], ['limit_data', ['bytes']], ['bandwidth', ['rate']]]),
};

const scenario = (steps: unknown[]) => ({ name: 's', type: 'S', title: 'S', steps, expect: {} });
const httpSteps = [
  { wait: 100 },
  { toxic: { type: 'http_status', attributes: { status: 429, retry_after: 2, count: 3 } } },
  { toxic: { type: 'sse_truncate', stream: 'downstream', attributes: { events: 2 } } },
  { toxic: { type: 'http_delay_headers', attributes: { delay: 500 } } },
];

t.test('HTTP toxic steps are native on a faultline server', async (t) => {
  const steps = parseScenario(scenario(httpSteps), 'test').steps;
  const plan = planScenario(steps, () => faultline);
  t.equal(plan.refused, null);
  t.same(
    steps.slice(1).map((s) => plan.faults.get(s as Step)?.toxics.map((x) => [x.type, x.attributes])),
    [[['http_status', { status: 429, retry_after: 2, count: 3 }]], [['sse_truncate', { events: 2 }]], [['http_delay_headers', { delay: 500 }]]],
  );
});

t.test('on plain Toxiproxy a scenario with an HTTP toxic step is refused up front, naming the step', async (t) => {
  const plan = planScenario(parseScenario(scenario(httpSteps), 'test').steps, () => toxiproxy);
  t.equal(plan.refused, 'steps[1].toxic.type: Toxiproxy 2.12.0 has no "http_status" toxic (a faultline toxic)');
  const later = planScenario(parseScenario(scenario(httpSteps.slice(2)), 'test').steps, () => toxiproxy);
  t.equal(later.refused, 'steps[0].toxic.type: Toxiproxy 2.12.0 has no "sse_truncate" toxic (a faultline toxic)');
});

t.test('a bad attribute of an HTTP toxic step is a scenario error naming the field', async (t) => {
  t.throws(() => parseScenario(scenario([{ toxic: { type: 'http_status', attributes: { status: 42 } } }]), 'bad.yaml'), /steps\.0\.toxic\.attributes\.status|steps\[0\]\.toxic\.attributes\.status/);
  t.throws(() => parseScenario(scenario([{ toxic: { type: 'sse_truncate', attributes: { cut: 3 } } }]), 'bad.yaml'), /attributes\.cut.*unknown attribute of sse_truncate \(its attributes: events, partial_bytes, mode, count\)/s);
});
