/**
 * Checks a results file before a reporter renders it: an array of results with the plan's fields
 * (harness/result.schema.json); faultline's added fields may be missing (a file written by another
 * tool), but when present they must have their types. Errors name the result and the field.
 */
import type { ScenarioResult } from '../result.js';
import { FLAGS } from '../scenario.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

const CHECKS = {
  string: (v: unknown) => typeof v === 'string',
  number: isNumber,
  'number or null': (v: unknown) => v === null || isNumber(v),
  boolean: (v: unknown) => typeof v === 'boolean',
  'boolean or null': (v: unknown) => v === null || typeof v === 'boolean',
  'string or null': (v: unknown) => v === null || typeof v === 'string',
  object: isObject,
  'array of strings': (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === 'string'),
} as const;

type Kind = keyof typeof CHECKS;

/** Field → expected kind; a `?` suffix marks a field that may be absent. */
const RESULT: Record<string, Kind> = {
  test_name: 'string',
  test_type: 'string',
  passed: 'boolean',
  duration_ms: 'number',
  ...Object.fromEntries(FLAGS.map((f) => [f, 'boolean'])),
  retry_attempts: 'number',
  error_message: 'string or null',
  metrics: 'object',
  'title?': 'string',
  'probe?': 'string',
  'expected?': 'object',
  'failed_expectations?': 'array of strings',
  'notifications_recovered?': 'boolean or null',
  'notification_stream_repairs?': 'number',
  'ledger?': 'object',
};

const METRICS: Record<string, Kind> = {
  connection_loss_time_ms: 'number or null',
  recovery_time_ms: 'number or null',
  queued_operations: 'number',
  cached_responses: 'number',
  recovery_attempts: 'number',
  'detection_time_ms?': 'number or null',
  'loss_window_ms?': 'number or null',
  'recovery_time_stable_ms?': 'number or null',
  'total_requests?': 'number',
  'successful_requests?': 'number',
  'latency_ms?': 'object',
  'throughput_rps?': 'object',
};

const LEDGER: Record<string, Kind> = {
  checked: 'boolean',
  acknowledged: 'number',
  applied_unacknowledged: 'array of strings',
  failed_not_applied: 'array of strings',
  duplicated: 'array of strings',
  lost: 'array of strings',
  undelivered_queued: 'array of strings',
};

const ENTRY: Record<string, Record<string, Kind>> = {
  request: { id: 'string', path: 'string', start: 'number', end: 'number', outcome: 'string' },
  replay: { id: 'string', path: 'string', end: 'number', ok: 'boolean' },
  fault: { path: 'string', fault: 'string', applied: 'number' },
  heal: { path: 'string', fault: 'string', applied: 'number' },
  notification: { path: 'string', at: 'number', ok: 'boolean', repaired: 'boolean' },
};

const OUTCOMES = ['ok', 'failed', 'queued', 'cached'];

const ATTEMPT: Record<string, Kind> = { ok: 'boolean', start: 'number', end: 'number' };

function check(value: Json, fields: Record<string, Kind>, where: string): void {
  for (const [key, kind] of Object.entries(fields)) {
    const name = key.replace(/\?$/, '');
    if (key.endsWith('?') && value[name] === undefined) continue;
    if (!CHECKS[kind](value[name])) throw new Error(`${where}${name} must be ${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind}`);
  }
}

function checkTimeline(timeline: unknown, where: string): void {
  if (timeline === undefined) return;
  if (!Array.isArray(timeline)) throw new Error(`${where}timeline must be an array`);
  for (const [i, entry] of timeline.entries()) {
    const at = `${where}timeline[${i}].`;
    if (!isObject(entry) || typeof entry['type'] !== 'string') throw new Error(`${at}type must be a string`);
    const fields = ENTRY[entry['type']];
    if (!fields) continue;
    check(entry, fields, at);
    if (entry['type'] !== 'request') continue;
    if (!OUTCOMES.includes(entry['outcome'] as string)) throw new Error(`${at}outcome must be ok, failed, queued or cached`);
    if (!Array.isArray(entry['attempts'])) throw new Error(`${at}attempts must be an array`);
    for (const [j, attempt] of entry['attempts'].entries()) {
      if (!isObject(attempt)) throw new Error(`${at}attempts[${j}] must be an object`);
      check(attempt, ATTEMPT, `${at}attempts[${j}].`);
    }
  }
}

/** Parses and checks the text of a results file; throws an Error naming the result and field. */
export function parseResults(text: string): ScenarioResult[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new Error(`not JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(data)) {
    throw new Error(`expected a JSON array of scenario results (as run and demo write), got ${data === null ? 'null' : typeof data}`);
  }
  for (const [i, item] of data.entries()) {
    if (!isObject(item)) throw new Error(`result ${i + 1} must be an object`);
    const where = `result ${i + 1}${typeof item['test_name'] === 'string' ? ` (${item['test_name']})` : ''}: `;
    check(item, RESULT, where);
    check(item['metrics'] as Json, METRICS, `${where}metrics.`);
    if (item['ledger'] !== undefined) check(item['ledger'] as Json, LEDGER, `${where}ledger.`);
    const leaks = item['leaks'];
    if (leaks !== undefined && leaks !== null && !(isObject(leaks) && isObject(leaks['before']) && isObject(leaks['after']))) {
      throw new Error(`${where}leaks must be null or an object with before and after`);
    }
    checkTimeline(item['timeline'], where);
  }
  return data as ScenarioResult[];
}
