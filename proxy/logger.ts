/** The logging seam of the server: pino fits it as is; the default drops everything. */

/** Where the server reports lifecycle facts and failures (pino's `(fields, message)` call shape). */
export interface Logger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** A logger that discards everything. */
export const silentLogger: Logger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
