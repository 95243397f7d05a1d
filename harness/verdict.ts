/**
 * What a run means for CI: the graceful-handling target of the partition-test plan, and the exit
 * code of `run` and `demo`: 0 when every scenario met its expectations and the target is met, 1
 * otherwise (`exit-on: target` keeps the plan's rule alone: 0 whenever the target is met).
 */
import type { ReadableResult } from './result-schema.js';

/** Which rule decides the exit code. */
export type ExitOn = 'all' | 'target';

/** Whether at least `target` (0..1) of the results degraded gracefully. */
export function targetMet(results: readonly ReadableResult[], target: number): boolean {
  if (results.length === 0) return false;
  return results.filter((r) => r.graceful_degradation).length / results.length >= target;
}

/** The exit code of a run whose scenarios gave `results`. */
export function runExitCode(results: readonly ReadableResult[], target: number, exitOn: ExitOn = 'all'): 0 | 1 {
  const met = targetMet(results, target);
  if (exitOn === 'target') return met ? 0 : 1;
  return met && results.every((r) => r.passed) ? 0 : 1;
}
