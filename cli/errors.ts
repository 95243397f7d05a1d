/**
 * How a command fails: errors with stable codes, as the API's, and the exit code each means: 2 for
 * bad input (nothing was done: a usage error, a bad flag, a config or scenario file that cannot be
 * used), 1 for a failure. Modules outside the CLI say "bad input" with their own codes
 * (`ERR_CONFIG` of the server, `ERR_SCENARIO` of the harness), so they need not know the CLI.
 */

/** Why a command failed: `ERR_USAGE` (flags, arguments) and `ERR_INPUT` (a file or value given) are bad input. */
export type CliErrorCode = 'ERR_USAGE' | 'ERR_INPUT' | 'ERR_FAILED';

/** The codes, from any module, that mean bad input: exit 2. */
const BAD_INPUT: ReadonlySet<string> = new Set(['ERR_USAGE', 'ERR_INPUT', 'ERR_CONFIG', 'ERR_SCENARIO']);

/** An error the CLI prints as it is, then exits with `exitCode`. */
export class CliError extends Error {
  readonly code: CliErrorCode;

  constructor(message: string, code: CliErrorCode = 'ERR_FAILED') {
    super(message);
    this.name = 'CliError';
    this.code = code;
  }

  /** 2 for bad input, 1 otherwise. */
  get exitCode(): number {
    return exitCodeOf(this);
  }
}

/** The exit code for an error: 2 when its code means bad input, 1 otherwise. */
export function exitCodeOf(err: unknown): number {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && BAD_INPUT.has(code) ? 2 : 1;
}

/** The message to print for an error. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
