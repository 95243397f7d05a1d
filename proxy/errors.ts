/** Every error code faultline raises; the API maps each one to an HTTP status in one table. */
export type ErrorCode =
  | 'ERR_PROXY_NOT_FOUND'
  | 'ERR_PROXY_EXISTS'
  | 'ERR_TOXIC_NOT_FOUND'
  | 'ERR_TOXIC_EXISTS'
  | 'ERR_CONNECTION_NOT_FOUND'
  | 'ERR_INVALID_TOXIC_TYPE'
  | 'ERR_INVALID_STREAM'
  | 'ERR_INVALID_ATTRIBUTE'
  | 'ERR_INVALID_FIELD'
  | 'ERR_BAD_BODY'
  | 'ERR_LISTEN'
  | 'ERR_CONFIG';

/** A domain error with a stable `code`; the socket error behind it, if any, is in `cause`. */
export class FaultlineError extends Error {
  readonly code: ErrorCode;
  /** The request field the error is about, when there is one (e.g. `attributes.rate`). */
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; field?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FaultlineError';
    this.code = code;
    this.field = options.field;
  }
}

/**
 * The same error placed under `prefix` (e.g. `toxics[0]`), so nested input names its full path:
 * a message that already starts with its field gets the prefix, any other gets `prefix.field: `.
 */
export function nestError(err: FaultlineError, prefix: string): FaultlineError {
  const field = err.field ? `${prefix}.${err.field}` : prefix;
  const message = err.field && err.message.startsWith(`${err.field}:`) ? `${prefix}.${err.message}` : `${field}: ${err.message}`;
  return new FaultlineError(err.code, message, { field, cause: err.cause });
}

/** What a proxy or toxic name may be: it ends up in URL paths, log lines and metric labels. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 ._~:@+=,-]{0,127}$/;

/** Throws ERR_INVALID_FIELD naming `field` unless `name` fits NAME_PATTERN. */
export function checkName(name: string, field: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new FaultlineError(
      'ERR_INVALID_FIELD',
      `${field}: ${JSON.stringify(name.slice(0, 40))} is not a valid name (1-128 characters: letters, digits, space and . _ ~ : @ + = , -; starting with a letter or digit)`,
      { field },
    );
  }
}

/** True when `err` is a FaultlineError, optionally with the given code. */
export function isFaultlineError(err: unknown, code?: ErrorCode): err is FaultlineError {
  return err instanceof FaultlineError && (code === undefined || err.code === code);
}
