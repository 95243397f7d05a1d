/** The built-in scenarios (YAML files in harness/scenarios/): the six of the partition-test plan, and the MCP suite. */
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

/** The MCP-aware built-in scenarios over Streamable HTTP (`faultline demo --suite mcp`): long calls, resumable and re-issued streams, notifications. */
export const MCP_SCENARIOS = ['stream_cut_mid_call', 'double_disconnect_resume', 'notification_stream_loss'] as const;

/** The many-clients built-in scenarios (`faultline demo --suite clients`, http): a reconnect storm, a split brain. */
export const CLIENT_SCENARIOS = ['reconnect_storm', 'split_brain'] as const;

/** The MCP-aware built-ins meant for the stdio probe (`mcp-stdio`), also in the `mcp` suite. */
export const STDIO_SCENARIOS = ['stdio_server_crash'] as const;

/** The suites of built-ins: `plan` (the six, the default), `mcp` (each scenario runs on the probes it is meant for) and `clients`. */
export const SUITES = { plan: BUILTIN_SCENARIOS, mcp: [...MCP_SCENARIOS, ...STDIO_SCENARIOS], clients: CLIENT_SCENARIOS } as const;

/** A suite of built-ins. */
export type Suite = keyof typeof SUITES;

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

/** Loads built-in scenarios (the six of the plan, or those named, from any suite). */
export async function builtinScenarios(names: readonly string[] = BUILTIN_SCENARIOS): Promise<Scenario[]> {
  return Promise.all(names.map((name) => loadScenarioFile(join(builtinDir(), `${name}.yaml`))));
}
