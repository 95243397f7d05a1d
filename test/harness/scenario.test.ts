import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { BUILTIN_SCENARIOS, builtinScenarios } from '../../harness/builtins.js';
import { loadScenarioFile, parseScenario, ScenarioError } from '../../harness/scenario.js';

t.test('the six built-in scenarios load and keep the plan counts', async (t) => {
  const scenarios = await builtinScenarios();
  t.same(
    scenarios.map((s) => s.name),
    [...BUILTIN_SCENARIOS],
  );
  const full = scenarios[0]!;
  t.same(full.steps, [
    { send: 5 },
    { partition: { path: 'primary', mode: 'drop', cut: 'reset' } },
    { send: 10 },
    { heal: { path: 'primary' } },
    { send: 5 },
  ]);
  t.same(full.expect, { connection_lost: true, recovery_success: true, data_lost: false, graceful_degradation: true });
  const rapid = scenarios[5]!;
  t.match(rapid.steps[0], { repeat: { times: 10 } });
  t.equal(rapid.expect.no_leaks, true);
});

t.test('a bad step names the file, the step and the field', async (t) => {
  const base = { name: 'x', type: 'X', title: 'X', expect: {} };
  const error = (data: unknown): string => {
    try {
      parseScenario(data, 'my.yaml');
    } catch (err) {
      t.type(err, ScenarioError);
      return (err as Error).message;
    }
    throw new Error('expected an error');
  };
  t.match(error({ ...base, steps: [{ send: 2 }, { partition: { mode: 'melt' } }] }), /my\.yaml.*\n.*steps\[1\]\.partition\.mode/);
  t.match(error({ ...base, steps: [{ send: 0 }] }), /steps\[0\]/);
  t.match(error({ ...base, steps: [{ bogus: 1 }] }), /steps\[0\]/);
  t.match(error({ ...base, steps: [{ heal: { path: 'nowhere' } }] }), /steps\[0\].*unknown path "nowhere"/);
  t.match(error({ ...base, steps: [{ send: 1 }], policy: { attempts: 'many' } }), /policy\.attempts/);
  t.match(error({ ...base, steps: [{ send: 1 }], surprise: true }), /surprise|unrecognized/i);
  t.match(error({ ...base }), /steps/);
});

t.test('files: YAML and JSON load; malformed or missing files say so', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'faultline-scenario-'));
  const yaml = join(dir, 'a.yaml');
  await writeFile(yaml, 'name: mine\ntype: Mine\ntitle: Mine\nsteps:\n  - send: 3\nexpect: {}\n');
  t.equal((await loadScenarioFile(yaml)).name, 'mine');
  const json = join(dir, 'b.json');
  await writeFile(json, JSON.stringify({ name: 'j', type: 'J', title: 'J', steps: [{ wait: 5 }], expect: {} }));
  t.equal((await loadScenarioFile(json)).name, 'j');
  const broken = join(dir, 'c.yaml');
  await writeFile(broken, 'name: [unclosed\n');
  await t.rejects(loadScenarioFile(broken), /c\.yaml: not valid YAML/);
  await t.rejects(loadScenarioFile(join(dir, 'missing.yaml')), /missing\.yaml: cannot read \(ENOENT\)/);
});
