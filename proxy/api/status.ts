/**
 * The one table from FaultlineError codes to HTTP statuses (`satisfies` makes the compiler
 * reject a code without a status, and a status for a code that does not exist), and the message
 * an error is answered with.
 */
import type { ErrorCode, FaultlineError } from '../errors.js';

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

/** Toxiproxy's text for a value its JSON decoder cannot take (a wrong type in the body). */
const BAD_BODY = 'bad request body: ';

/**
 * The message the API answers `err` with. Where Toxiproxy would fail decoding (an attribute or a
 * toxicity of the wrong type or range), its text `bad request body: ` comes first and faultline's
 * detail after it, so clients matching on Toxiproxy's text keep working.
 */
export function messageOf(err: FaultlineError): string {
  const decodeError = err.code === 'ERR_INVALID_ATTRIBUTE' || (err.code === 'ERR_INVALID_FIELD' && /(^|\.)toxicity$/.test(err.field ?? ''));
  return decodeError && !err.message.startsWith(BAD_BODY) ? BAD_BODY + err.message : err.message;
}
