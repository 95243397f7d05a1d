/** How a failed command ends: the message to print and the exit code (2 = bad input, 1 = failure). */
import { isFaultlineError } from '../errors.js';
import { CliError } from './api-client.js';

/** The exit code for an error: 2 for bad input (config, scenario, flags), 1 otherwise. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof CliError) return err.exitCode;
  if (isFaultlineError(err, 'ERR_CONFIG')) return 2;
  if ((err as Error | undefined)?.name === 'ScenarioError') return 2;
  return 1;
}

/** The message to print for an error. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
