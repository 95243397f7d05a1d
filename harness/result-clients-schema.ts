/**
 * The result fields of multi-client paths, reconnect storms and the harness's own overhead (see
 * clients.ts, storm.ts, overhead.ts for the definitions). All optional in a result: a
 * single-client scenario's result has none of the client fields, and a results file written
 * before them reads as it did.
 */
import { z } from 'zod';

const ms = z.number().min(0);
const count = z.number().int().min(0);
const nullableMs = ms.nullable();
const stats = z.object({ p50: nullableMs, p99: nullableMs, max: nullableMs, samples: count });

/** What one fault window did to one client of a multi-client path. */
const clientOutcome = z.object({
  client: count,
  outcome: z.enum(['unaffected', 'recovered', 'unrecovered']).describe('unaffected: no failed attempt in the window; recovered: failed, then succeeded after the heal'),
  detection_ms: nullableMs,
  recovery_ms: nullableMs,
});

/** A window over the clients of its path. */
export const windowClientsSchema = z
  .object({
    count,
    affected: count.describe('clients with a failed attempt in the window'),
    recovered: count,
    unrecovered: count,
    detection_ms: z.object({ ...stats.shape }).describe('over the affected clients'),
    recovery_ms: z.object({ ...stats.shape }).describe('over the recovered clients'),
    all_recovered_ms: nullableMs.describe('heal applied → the last affected client recovered; null when one did not (or no heal)'),
    outcomes: z.array(clientOutcome),
  })
  .meta({ id: 'window_clients' });

/** The reconnect wave after a heal, as the proxy saw it (connection.opened / closed from /events). */
export const reconnectSchema = z
  .object({
    connections: count.describe('connections the proxy accepted from the heal to the next fault (or the end)'),
    bucket_ms: z.literal(10),
    buckets: z.array(count).describe('new connections per 10 ms bucket from the heal, up to the last reconnect'),
    peak_per_bucket: count,
    peak_rate_per_s: ms.describe('peak_per_bucket × 100'),
    last_reconnect_ms: nullableMs.describe('heal applied → the last connection accepted in that span'),
    upstream_peak: count.describe('most connections open to the upstream at once in that span (one per proxy connection)'),
  })
  .meta({ id: 'reconnect' });

/** One client's whole run. */
const clientFigures = z.object({
  client: count,
  address: z.string().optional().describe('the local address it connected from, when the path names them'),
  requests: count,
  ok: count,
  failed: count.describe('requests that did not succeed (failed, queued or cached)'),
  lost_writes: count.describe('its writes that never reached the server (from the ledger reconciliation)'),
});

/** The clients of a multi-client path. */
export const pathClientsSchema = z
  .object({
    count,
    throughput_note: z.literal('phase throughput is the sum over the clients'),
    per_client: z.array(clientFigures),
  })
  .meta({ id: 'path_clients' });

/** A stretch where the harness's own event loop ran late. */
const lagSpan = z.object({ at: z.number().describe('ms since the scenario started'), lag_ms: ms });

/** The harness's own cost while the scenario ran. */
export const harnessSchema = z
  .object({
    cpu_ms: ms.describe('CPU time (user + system) of the harness process during the run'),
    requests: count,
    cpu_ms_per_request: nullableMs,
    event_loop_delay_p99_ms: nullableMs.describe('perf_hooks.monitorEventLoopDelay over the run'),
    event_loop_delay_max_ms: nullableMs,
    lag_spans: z.array(lagSpan).describe('every moment the event loop ran more than 10 ms late'),
  })
  .meta({ id: 'harness' });

/** Added to a window: how late the harness ran while it was measured, when that was more than 10 ms. */
export const windowLagShape = {
  harness_lag_ms: ms
    .optional()
    .describe("present when the harness's event loop lagged more than 10 ms during the window: its times may be late by up to this much"),
};
