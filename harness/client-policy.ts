/**
 * How the harness drives a client that has its own policy (an external `--client`, or a probe of
 * yours with `ownPolicy`): pass-through. The harness's retries, queue and cache would hide what the
 * client itself does, so each request is one attempt, nothing is queued or cached, and the
 * attempt's timeout is the whole time the scenario's policy allows a request.
 */
import type { Probe } from './probes/probe.js';
import type { ClientResult } from './result-client-schema.js';
import type { Policy } from './scenario.js';

/** The time one request may take under `policy`: every attempt's timeout plus the backoffs between them. */
export function budgetMs(policy: Policy): number {
  let backoffs = 0;
  for (let i = 1; i < policy.attempts; i++) backoffs += policy.backoff_ms * 2 ** (i - 1);
  return policy.attempts * policy.timeout_ms + backoffs;
}

/**
 * The pass-through policy for a scenario whose own policy is `scenarioPolicy`; an explicit
 * `timeout_ms` in `override` (`--timeout-ms`) is the budget itself.
 */
export function passThrough(scenarioPolicy: Policy, override: Partial<Policy> = {}): Policy {
  return {
    ...scenarioPolicy,
    attempts: 1,
    backoff_ms: 0,
    timeout_ms: override.timeout_ms ?? budgetMs(scenarioPolicy),
    queue: false,
    cache: false,
    repair_stream: false,
  };
}

/** The `client` field of a result: how the paths' probes were driven and their own accounts; null when none has its own policy. */
export function clientResultOf(paths: ReadonlyArray<readonly [string, Probe]>, policy: Policy): ClientResult | null {
  if (!paths.some(([, probe]) => probe.ownPolicy)) return null;
  return {
    policy: 'pass-through',
    budget_ms: policy.timeout_ms,
    paths: Object.fromEntries(paths.map(([path, probe]) => [path, probe.external?.() ?? null])),
  };
}
