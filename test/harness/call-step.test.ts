import t, { type Test } from 'tap';
import { builtinScenarios, MCP_SCENARIOS } from '../../harness/builtins.js';
import { parseScenario, ScenarioError } from '../../harness/scenario.js';

const base = { name: 'x', type: 'X', title: 'X', expect: {} };
const call = (fields: object) => ({ ...base, paths: ['primary', 'second'], steps: [{ send: 1 }, { call: { steps: 5, ...fields } }] });

function error(t: Test, data: unknown): string {
  try {
    parseScenario(data, 'my.yaml');
  } catch (err) {
    t.type(err, ScenarioError);
    return (err as Error).message;
  }
  throw new Error('expected an error');
}

t.test('a call step: defaults, during-actions with one cue each, on the call\'s path unless they name one', async (t) => {
  const scenario = parseScenario(
    call({ path: 'second', during: [{ after_progress: 2, partition: { mode: 'drop' } }, { after_ms: 50, heal: {} }, { after_reconnect: 1, latency: { latency: 10, path: 'primary' } }] }),
    'my.yaml',
  );
  t.same(scenario.steps[1], {
    call: {
      path: 'second',
      steps: 5,
      interval_ms: 50,
      timeout_ms: 10_000,
      during: [
        { trigger: { kind: 'after_progress', value: 2 }, step: { partition: { path: 'second', mode: 'drop', cut: 'reset' } } },
        { trigger: { kind: 'after_ms', value: 50 }, step: { heal: { path: 'second' } } },
        { trigger: { kind: 'after_reconnect', value: 1 }, step: { latency: { path: 'primary', latency: 10, jitter: 0, stream: 'downstream' } } },
      ],
    },
  });
  t.same(parseScenario({ ...base, steps: [{ notify: 3 }] }, 'n.yaml').steps, [{ notify: 3 }]);
});

t.test('a bad call step names the step, the action and the field', async (t) => {
  t.match(error(t, call({ steps: 0 })), /my\.yaml: invalid scenario\n\s+steps\[1\]\.call\.steps: /);
  t.match(error(t, call({ during: [{ partition: { mode: 'drop' } }] })), /steps\[1\]\.call\.during\[0\]: a during action has exactly one trigger: after_progress, after_reconnect, after_ms \(got none\)/);
  t.match(error(t, call({ during: [{ after_ms: 1, after_progress: 2, heal: {} }] })), /during\[0\]: a during action has exactly one trigger.*\(got after_progress, after_ms\)/);
  t.match(error(t, call({ during: [{ after_ms: 1, send: 3 }] })), /during\[0\]: a during action is one of: partition, heal, flaky, latency, toxic \(got send\)/);
  t.match(error(t, call({ during: [{ after_progress: 1, partition: { mode: 'melt' } }] })), /steps\[1\]\.call\.during\[0\]\.partition\.mode: /);
  t.match(error(t, call({ during: [{ after_progress: 0, heal: {} }] })), /steps\[1\]\.call\.during\[0\]\.after_progress: /);
  t.match(error(t, call({ during: [{ after_ms: 5, heal: { path: 'nowhere' } }] })), /steps\[1\]\.call\.during\[0\]: unknown path "nowhere"/);
  t.match(error(t, call({ during: [{ after_ms: 5, toxic: { type: 'latency', attributes: { latency: 1, bogus: 2 } } }] })), /steps\[1\]\.call\.during\[0\]\.toxic\.attributes\.bogus/);
  t.match(error(t, call({ surprise: 1 })), /steps\[1\]\.call: .*surprise/i);
  t.match(error(t, { ...base, steps: [{ notify: 0 }] }), /steps\[0\]\.notify: /);
  t.match(error(t, { ...base, steps: [{ send: 1 }], mcp_protocols: ['2024-01-01'] }), /mcp_protocols\[0\]: /);
});

t.test('the MCP built-ins load: their calls, cues and the protocols they are meant for', async (t) => {
  const [cut, twice, loss] = await builtinScenarios(MCP_SCENARIOS);
  t.same(cut?.mcp_protocols, ['2025-11-25', '2026-07-28']);
  t.match(cut?.steps[1], { call: { steps: 10, during: [{ trigger: { kind: 'after_progress', value: 3 } }, { trigger: { kind: 'after_ms', value: 50 } }] } });
  t.same(twice?.steps[1] && 'call' in twice.steps[1] ? twice.steps[1].call.during.map((a) => a.trigger.kind) : [], ['after_progress', 'after_ms', 'after_reconnect', 'after_ms']);
  t.same(loss?.mcp_protocols, ['2025-11-25']);
  t.match(loss?.steps, [{ send: 3 }, { notify: 1 }, { partition: {} }, { notify: 3 }, { wait: 3000 }, { heal: {} }, { send: 3 }]);
});
