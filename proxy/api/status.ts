/**
 * The one table from FaultlineError codes to HTTP statuses. `satisfies` makes the compiler
 * reject a code without a status (and a status for a code that does not exist).
 */
import type { ErrorCode } from '../errors.js';

const STATUS = {
  ERR_PROXY_NOT_FOUND: 404,
  ERR_PROXY_EXISTS: 409,
  ERR_TOXIC_NOT_FOUND: 404,
  ERR_TOXIC_EXISTS: 409,
  ERR_CONNECTION_NOT_FOUND: 404,
  ERR_INVALID_TOXIC_TYPE: 400,
  ERR_INVALID_STREAM: 400,
  ERR_INVALID_ATTRIBUTE: 400,
  ERR_INVALID_FIELD: 400,
  ERR_BAD_BODY: 400,
  // Toxiproxy answers every unusable listen address with 500, never 400.
  ERR_LISTEN: 500,
  ERR_CONFIG: 400,
} as const satisfies Record<ErrorCode, number>;

/** The HTTP status for an error code. */
export function statusOf(code: ErrorCode): number {
  return STATUS[code];
}
