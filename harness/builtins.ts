/** The six built-in scenarios of the partition-test plan (YAML files in harness/scenarios/). */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenarioFile, type Scenario } from './scenario.js';

/** The built-in scenario names, in the plan's order. */
export const BUILTIN_SCENARIOS = [
  'full_connection_loss',
  'intermittent_connectivity',
  'partial_failure',
  'connection_recovery',
  'no_cascading_failures',
  'rapid_reconnect',
] as const;

/** The folder holding the built-in scenario files (found from this module, in source or in dist/). */
function builtinDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, 'harness', 'scenarios');
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('cannot find harness/scenarios');
}

/** Loads the built-in scenarios (all, or those named). */
export async function builtinScenarios(names: readonly string[] = BUILTIN_SCENARIOS): Promise<Scenario[]> {
  return Promise.all(names.map((name) => loadScenarioFile(join(builtinDir(), `${name}.yaml`))));
}
