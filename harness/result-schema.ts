/**
 * The result of one scenario, described once: this zod schema types the results (result.ts),
 * checks results files before a reporter renders them (`readResults`), and generates
 * harness/result.schema.json (`npm run schema`; a test keeps the committed file in step). The
 * fields of the partition-test plan come first; faultline's own are added fields, which a file
 * written by another tool (or an older faultline) may lack; its fault windows are then worked out
 * from its timeline when it has one.
 */
import { z } from 'zod';
import { callEntrySchema, mcpEntrySchema, mcpResultShape } from './mcp-schema.js';
import { clientEntrySchema, clientResultSchema } from './result-client-schema.js';
import { harnessSchema, pathClientsSchema, reconnectSchema, windowClientsSchema, windowLagShape } from './result-clients-schema.js';
import { Timeline } from './timeline.js';
import { faultWindows } from './windows.js';

const ms = z.number().min(0);
const time = z.number().describe('ms since the scenario started');
const count = z.number().int().min(0);
const ids = z.array(z.string());
const nullableMs = ms.nullable();

/** p50 / p99 / max of some samples (null without samples). */
const statsSchema = z.object({ p50: nullableMs, p99: nullableMs, max: nullableMs, samples: count }).meta({ id: 'stats' });

const attempt = z.object({ ok: z.boolean(), error: z.string().optional(), start: time, end: time });

/** Everything a timeline holds (see timeline.ts). */
export const entrySchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('request'),
    id: z.string(),
    path: z.string(),
    client: count.optional().describe('which client of a multi-client path sent it (0-based); absent on a single-client path'),
    kind: z.enum(['write', 'read']),
    faulted: z.boolean().describe('a fault step was in force on the path when it was sent'),
    epoch: count.describe('heals on the path before it was sent'),
    start: time,
    end: time,
    attempts: z.array(attempt),
    outcome: z.enum(['ok', 'failed', 'queued', 'cached']),
    value: z.string().optional().describe('a read: what it returned (from the server, or from the cache)'),
  }),
  z.object({ type: z.literal('replay'), id: z.string(), path: z.string(), start: time, end: time, ok: z.boolean(), error: z.string().optional() }),
  z.object({
    type: z.enum(['fault', 'heal']),
    path: z.string(),
    fault: z.string(),
    requested: time.describe('when the harness asked for it'),
    applied: time.describe('when the proxy applied it'),
    source: z.enum(['proxy-event', 'api-response']),
    detail: z.record(z.string(), z.unknown()).optional(),
  }),
  z.object({ type: z.literal('notification'), path: z.string(), at: time, ok: z.boolean(), repaired: z.boolean() }),
  z.object({
    type: z.literal('transport'),
    path: z.string(),
    client: count.optional().describe('the client of a multi-client path whose socket saw it'),
    at: time,
    kind: z.string(),
    detail: z.string().optional(),
  }),
  z.object({
    type: z.literal('connection'),
    path: z.string(),
    at: time,
    event: z.enum(['opened', 'closed']),
    connection: count.describe("the proxy's connection id"),
  }).describe("a connection the proxy opened or closed on the path's proxy (from /events; recorded on multi-client paths)"),
  clientEntrySchema,
  mcpEntrySchema,
  callEntrySchema,
]).meta({ id: 'entry' });

/** One fault window (see windows.ts for the definitions). */
const windowSchema = z.object({
  path: z.string(),
  fault: z.string().describe('partition:drop, partition:blackhole, partition:refuse, flaky, latency, toxic:<type>'),
  applied_ms: time,
  healed_ms: time.nullable().describe('null: not healed before the scenario ended'),
  detection_ms: nullableMs.describe('applied → the end of the first failed attempt in the window'),
  detection_bound: z.enum(['fault', 'client_timeout']).nullable(),
  transport_detection_ms: nullableMs.describe("applied → the probe's transport saw the fault (reset, close, refused, stream end)"),
  loss_window_ms: nullableMs.describe('first failure → first success after it'),
  recovery_ms: nullableMs.describe('heal applied → first successful attempt'),
  recovery_stable_ms: nullableMs.describe('heal applied → the end of 3 successful requests in a row'),
  recovery_attempts: count,
  requests: count.describe('requests that overlapped the window'),
  failed_requests: count,
  latency_p50_ms: nullableMs,
  latency_increase_ms: z.number().nullable().describe("latency_p50_ms minus the path's p50 before its first fault"),
  clients: windowClientsSchema.optional().describe('a multi-client path: the window per client, and over the clients'),
  reconnect: reconnectSchema.optional().describe('a multi-client path: the reconnect wave after the heal'),
  ...windowLagShape,
}).meta({ id: 'window' });

/** Detection and recovery over the windows of a path or scenario. */
const overWindows = z.object({
  windows: count,
  detection_ms: statsSchema,
  transport_detection_ms: statsSchema,
  recovery_ms: statsSchema,
  recovery_stable_ms: statsSchema,
}).meta({ id: 'over_windows' });

const phaseFigures = z.object({ requests: count, ok: count, duration_ms: ms, rps: nullableMs, latency: statsSchema }).meta({ id: 'phase' });
const phases = z.object({ before: phaseFigures, during: phaseFigures, between: phaseFigures, after: phaseFigures });

/** One path's figures. */
const pathSchema = z.object({
  faulted: z.boolean().describe('false: no fault was put on it; every request counts as before'),
  over_windows: overWindows,
  phases,
  throughput_degradation: z.number().min(0).nullable().describe('during ÷ before'),
  recovered_throughput: z.number().min(0).nullable().describe('after ÷ before'),
  clients: pathClientsSchema.optional().describe('a multi-client path: each client over the whole run'),
}).meta({ id: 'path' });

/** The reconciliation of the writes against the server's ledger (see reconcile.ts). */
export const ledgerSchema = z.object({
  checked: z.boolean().describe('false: no ledger was available, only the client side is known'),
  acknowledged: count,
  applied_unacknowledged: ids,
  failed_not_applied: ids,
  duplicated: ids,
  lost: ids.describe('acknowledged to the client but missing from the ledger'),
  undelivered_queued: ids,
  lost_writes: ids.describe('every write that did not reach the server: lost, undelivered_queued and failed_not_applied'),
});

const resources = z.object({ fds: count.nullable(), sockets: count });

const planMetrics = z.object({
  connection_loss_time_ms: nullableMs.describe('request-level detection of the first window that caused a failure'),
  recovery_time_ms: nullableMs.describe('recovery of the last healed window that had failures'),
  requests_before_partition: count,
  requests_after_partition: count.describe('requests sent after the last heal'),
  queued_operations: count,
  cached_responses: count,
  successful_requests_before_recovery: count,
  failed_requests_during_partition: count,
  recovery_attempts: count.describe('attempts from the heal of recovery_time_ms up to and including the first success'),
});

const addedMetrics = z.object({
  detection_time_ms: nullableMs.describe('= connection_loss_time_ms'),
  detection_bound_by: z.enum(['fault', 'client_timeout']).nullable(),
  transport_detection_time_ms: nullableMs.describe('transport detection of the same window'),
  loss_window_ms: nullableMs,
  recovery_time_stable_ms: nullableMs,
  fault_timing_source: z.enum(['proxy-event', 'api-response']).nullable(),
  over_windows: overWindows,
  latency_ms: z.object({ before: statsSchema, during: statsSchema, between: statsSchema, after: statsSchema }),
  throughput_rps: z.object({ before: nullableMs, during: nullableMs, between: nullableMs, after: nullableMs }),
  throughput_degradation: z.number().min(0).nullable().describe('during ÷ before, over the faulted paths'),
  recovered_throughput: z.number().min(0).nullable().describe('after ÷ before, over the faulted paths'),
  total_requests: count,
  successful_requests: count,
  harness_lag_ms: ms
    .optional()
    .describe("present when the harness's event loop lagged more than 10 ms in the window(s) the detection and recovery figures above come from"),
});

const planResult = z.object({
  test_name: z.string(),
  test_type: z.string(),
  passed: z.boolean().describe('every expectation met, nothing leaked, notifications recovered, the run did not break'),
  duration_ms: ms,
  connection_lost: z.boolean(),
  recovery_success: z.boolean(),
  data_lost: z.boolean(),
  cascading_failure: z.boolean(),
  graceful_degradation: z.boolean(),
  retry_attempts: count.describe('attempts beyond the first of each request, plus replays'),
  error_message: z.string().nullable(),
});

const addedResult = z.object({
  title: z.string(),
  probe: z.string(),
  seed: z.string(),
  expected: z.record(z.string(), z.boolean()),
  failed_expectations: z.array(z.string()),
  notifications_recovered: z.boolean().nullable(),
  notification_stream_repairs: count,
  ledger: ledgerSchema,
  leaks: z
    .object({
      before: resources.describe("this process's fds and TCP sockets before the scenario (for reading: they include the harness's own API connections)"),
      after: resources,
      probe_sockets: count.describe("sockets the scenario's probes opened that were still open after they closed"),
      proxy_connections: count.nullable().describe("live connections the server still held on the scenario's proxies (null: it cannot say)"),
      leaked: z.boolean(),
    })
    .nullable(),
  emulated: z.array(z.string()).describe('faults the server lacked (a plain Toxiproxy) and the harness emulated, each saying how it differs'),
  notes: z.array(z.string()).describe('how to read this result: no server ledger, a client driven pass-through, …'),
  client: clientResultSchema.nullable().describe('the external client (--client, or a probe with its own policy); null for faultline\'s probes'),
  windows: z.array(windowSchema),
  paths: z.record(z.string(), pathSchema),
  ...mcpResultShape,
  harness: harnessSchema.optional().describe("the harness's own CPU time and event-loop delay during the run"),
  timeline: z.array(entrySchema),
});

/** A result as faultline writes it. */
export const resultSchema = planResult.extend({ metrics: planMetrics.extend(addedMetrics.shape) }).extend(addedResult.shape);

/** A result as a reporter accepts it: the plan's fields, and faultline's where present. */
const readableResultSchema = planResult
  .extend({ metrics: planMetrics.extend(addedMetrics.partial().shape) })
  .extend(addedResult.partial().shape);

/** A scenario result as faultline writes it. */
export type ScenarioResult = z.infer<typeof resultSchema>;

/** A scenario result as reporters read it (faultline's fields may be missing). */
export type ReadableResult = z.infer<typeof readableResultSchema>;

/** A fault window. */
export type FaultWindowResult = z.infer<typeof windowSchema>;

/** The JSON Schema of a results file (what `npm run schema` writes to harness/result.schema.json). */
export function resultsJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(z.array(resultSchema), { target: 'draft-7' }),
    $id: 'https://github.com/faultline/faultline/harness/result.schema.json',
    title: 'faultline network partition test results',
    description: "An array with one object per scenario. The fields of the partition-test plan come first; faultline's own figures are added fields.",
  };
}

/** Parses the text of a results file; the error names the result and the field. */
export function readResults(text: string): ReadableResult[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new Error(`not JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(data)) {
    throw new Error(`expected a JSON array of scenario results (as run and demo write), got ${data === null ? 'null' : typeof data}`);
  }
  return data.map((item: unknown, i) => {
    const parsed = readableResultSchema.safeParse(beforeWindows(item));
    if (parsed.success) return withWindows(parsed.data);
    const name = typeof (item as { test_name?: unknown })?.test_name === 'string' ? ` (${(item as { test_name: string }).test_name})` : '';
    const issue = parsed.error.issues[0] as z.core.$ZodIssue;
    const field = issue.path.reduce<string>((out, part) => (typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${String(part)}` : String(part)), '');
    throw new Error(`result ${i + 1}${name}: ${field || '(result)'} ${expectation(issue)}`);
  });
}

/**
 * A result written before fault windows had its phase figures without `max` and without `between`
 * (those read as unknown and empty: nothing is guessed) and its ledger without `lost_writes` (the
 * union of the three lists it had).
 */
function beforeWindows(item: unknown): unknown {
  const result = item as {
    windows?: unknown;
    metrics?: { latency_ms?: Record<string, object>; throughput_rps?: Record<string, unknown> };
    ledger?: Record<string, unknown>;
  };
  if (typeof item !== 'object' || item === null || result.windows !== undefined || !result.metrics) return item;
  const ledger = result.ledger;
  const listed = (key: string): string[] => (Array.isArray(ledger?.[key]) ? (ledger[key] as string[]) : []);
  const lost = ledger ? { ledger: { ...ledger, lost_writes: [...listed('lost'), ...listed('undelivered_queued'), ...listed('failed_not_applied')].sort() } } : {};
  const { latency_ms: latency, throughput_rps: rps } = result.metrics;
  const none = { p50: null, p99: null, max: null, samples: 0 };
  const metrics = {
    ...result.metrics,
    ...(latency ? { latency_ms: { between: none, ...Object.fromEntries(Object.entries(latency).map(([k, v]) => [k, { max: null, ...v }])) } } : {}),
    ...(rps ? { throughput_rps: { between: null, ...rps } } : {}),
  };
  return { ...result, ...lost, metrics };
}

/** A result from before fault windows (or another tool) gets them from its timeline, where it has one. */
function withWindows(result: ReadableResult): ReadableResult {
  if (result.windows || !result.timeline) return result;
  const timeline = new Timeline(0, 0);
  for (const entry of result.timeline) timeline.add(entry);
  return { ...result, windows: faultWindows(timeline) };
}

/** What an issue asks for, in words: "must be a number", "must be one of ok, failed". */
function expectation(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') return `must be ${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`;
  if (issue.code === 'invalid_value') return `must be one of ${issue.values.map(String).join(', ')}`;
  if (issue.code === 'invalid_union' && 'note' in issue && issue.note === 'No matching discriminator') return 'has an unknown type';
  return issue.message;
}
