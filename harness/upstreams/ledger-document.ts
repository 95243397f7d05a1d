/**
 * The ledger shapes a service may serve at its `--ledger-url` (any GET URL), all read into the one
 * Ledger (id → times applied):
 *   {"applied": [{"id": "…", "count": 2, "first_ms": 1733212345678}, …]}   count defaults to 1
 *   ["id-1", "id-2", …]                                                      each mention counts once
 *   {"applied": {"id-1": 1, "id-2": 2}}                                     faultline's demo upstreams
 * `first_ms` (when the service first applied the id) is accepted and not needed.
 */
import type { Ledger } from './upstream.js';

/** What the shapes are, for error messages. */
export const LEDGER_SHAPES = '{"applied": [{"id", "count", "first_ms"}]}, a plain array of ids, or {"applied": {"<id>": <count>}}';

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** Reads a ledger document; the error names the field that is wrong. */
export function parseLedgerDocument(data: unknown): Ledger {
  if (Array.isArray(data)) return fromList(data, '');
  if (isObject(data) && Array.isArray(data['applied'])) return fromList(data['applied'], 'applied');
  if (isObject(data) && isObject(data['applied'])) return fromCounts(data['applied']);
  throw new Error(`expected ${LEDGER_SHAPES}`);
}

function fromList(items: readonly unknown[], where: string): Ledger {
  const ledger = new Map<string, number>();
  items.forEach((item, i) => {
    const at = `${where}[${i}]`;
    if (typeof item === 'string' && item !== '') return void ledger.set(item, (ledger.get(item) ?? 0) + 1);
    if (!isObject(item) || typeof item['id'] !== 'string' || item['id'] === '') {
      throw new Error(`${at} must be an id or {"id", "count", "first_ms"} with a non-empty string id`);
    }
    const count = item['count'] ?? 1;
    if (!isCount(count)) throw new Error(`${at}.count must be a whole number ≥ 0`);
    if (item['first_ms'] !== undefined && typeof item['first_ms'] !== 'number') throw new Error(`${at}.first_ms must be a number (ms)`);
    ledger.set(item['id'], (ledger.get(item['id']) ?? 0) + count);
  });
  return ledger;
}

function fromCounts(counts: Record<string, unknown>): Ledger {
  const ledger = new Map<string, number>();
  for (const [id, count] of Object.entries(counts)) {
    if (!isCount(count)) throw new Error(`applied[${JSON.stringify(id)}] must be a whole number ≥ 0`);
    ledger.set(id, count);
  }
  return ledger;
}
