/**
 * The logging seam of the server: the one `Logger` type. pino's logger fits it as is (see
 * `log.ts`, loaded only by the server command so client commands start fast); the default,
 * `silentLogger`, drops everything.
 */

/** A log level, as pino names them. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** Where the server reports lifecycle facts and failures (pino's `(fields, message)` call shape). */
export interface Logger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
  debug(fields: object, message: string): void;
  /** Whether a line at `level` would be written (so callers skip building it otherwise). */
  isLevelEnabled(level: LogLevel): boolean;
}

/** A logger that discards everything. */
export const silentLogger: Logger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  debug: () => undefined,
  isLevelEnabled: () => false,
};
