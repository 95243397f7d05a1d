/** What `run` and `demo` share: scenario arguments (files or built-in names) and the client-policy flags. */
import { existsSync } from 'node:fs';
import type { Argv } from 'yargs';
import { builtinScenarios, SUITES, type Suite } from '../builtins.js';
import { loadScenarioFile, type Policy, type Scenario } from '../scenario.js';

/** The client-policy flags. */
export interface PolicyArgs {
  attempts?: number;
  'timeout-ms'?: number;
  queue?: boolean;
  cache?: boolean;
  'repair-stream'?: boolean;
  suite: Suite;
}

/** Declares the scenario positional and the client-policy flags on a command. */
export function scenarioOptions<T>(y: Argv<T>) {
  return y
    .positional('scenarios', { type: 'string', array: true, default: [] as string[], describe: 'scenario files (.yaml/.json) or built-in names' })
    .option('suite', { choices: Object.keys(SUITES) as Suite[], default: 'plan' as Suite, describe: 'built-ins to run when none is named: plan (the six), mcp (long calls, resumable streams) or clients (many clients: reconnect storm, split brain)' })
    .option('attempts', { type: 'number', describe: 'client policy: attempts per request (1 = fail fast)' })
    .option('timeout-ms', { type: 'number', describe: 'client policy: timeout of one attempt' })
    .option('queue', { type: 'boolean', describe: 'client policy: queue failed writes and replay them (--no-queue to disable)' })
    .option('cache', { type: 'boolean', describe: 'client policy: answer failed reads from cache (--no-cache to disable)' })
    .option('repair-stream', { type: 'boolean', describe: 'MCP: re-open a notification stream the SDK gave up on' });
}

/** Scenario arguments: a file path, or the name of a built-in (of any suite); none = the built-ins of `suite`. */
export async function loadScenarios(args: readonly string[], suite: Suite = 'plan'): Promise<Scenario[]> {
  if (args.length === 0) return builtinScenarios(SUITES[suite]);
  const builtins: readonly string[] = Object.values(SUITES).flat();
  const out: Scenario[] = [];
  for (const arg of args) {
    if (!existsSync(arg) && builtins.includes(arg)) out.push(...(await builtinScenarios([arg])));
    else out.push(await loadScenarioFile(arg));
  }
  return out;
}

/** The policy overrides the flags ask for. */
export function policyOf(argv: PolicyArgs): Partial<Policy> {
  const policy: Partial<Policy> = {};
  if (argv.attempts !== undefined) policy.attempts = argv.attempts;
  if (argv['timeout-ms'] !== undefined) policy.timeout_ms = argv['timeout-ms'];
  if (argv.queue !== undefined) policy.queue = argv.queue;
  if (argv.cache !== undefined) policy.cache = argv.cache;
  if (argv['repair-stream'] !== undefined) policy.repair_stream = argv['repair-stream'];
  return policy;
}
