/**
 * Attribute schemas shared by the toxic types. Toxiproxy's attributes are integers that default
 * to 0; values that would overflow a timer or crash Toxiproxy are rejected with the field named.
 */
import { z } from 'zod';

/** The longest delay a Node timer can hold (about 24.8 days); longer ones would fire at once. */
export const MAX_DELAY_MS = 2_147_483_647;

/** A non-negative integer attribute in `unit`, at most `max`, defaulting to 0. */
export function integer(unit: string, max = Number.MAX_SAFE_INTEGER) {
  return z
    .number({ error: `must be a number (${unit})` })
    .int({ error: `must be an integer (${unit})` })
    .min(0, { error: `must be >= 0 (${unit})` })
    .max(max, { error: `must be <= ${max} (${unit})` })
    .default(0);
}

/** A delay in milliseconds, bounded so a timer can hold it. */
export function millis() {
  return integer('ms', MAX_DELAY_MS);
}

/** A probability in [0, 1]. */
export function probability(fallback: number) {
  return z
    .number({ error: 'must be a number between 0 and 1' })
    .min(0, { error: 'must be >= 0' })
    .max(1, { error: 'must be <= 1' })
    .default(fallback);
}
