/**
 * The parts of a scenario result that describe an external client (`faultline run --client`, or a
 * probe with its own policy): its timeline entries (late answers, reconnects) and its own account
 * per path. Composed into the result schema in result-schema.ts, which stays the one home of the
 * result's shape.
 */
import { z } from 'zod';

const time = z.number().describe('ms since the scenario started');
const count = z.number().int().min(0);

/** A timeline entry for what an external client did besides answering on time. */
export const clientEntrySchema = z.object({
  type: z.literal('client'),
  path: z.string(),
  at: time,
  event: z.enum(['late_answer', 'reconnected']),
  id: z.string().optional().describe('late_answer: the operation it answers'),
  ok: z.boolean().optional(),
  error: z.string().optional(),
  late_ms: z.number().min(0).optional().describe("late_answer: how long after the operation's budget ran out"),
  detail: z.string().optional(),
});

/** One external client process (one per path), as it ran. */
export const clientReportSchema = z
  .object({
    command: z.string(),
    exit_code: z.number().int().nullable(),
    signal: z.string().nullable(),
    stopped_by: z
      .enum(['eof', 'sigterm', 'sigkill', 'itself'])
      .describe('eof: it exited once stdin closed; sigterm / sigkill: it had to be stopped; itself: it exited during the run'),
    failure: z.string().nullable().describe('why it failed the scenario (exited, a line that is not the protocol, an unknown id, no answer at all)'),
    answers: count.describe('answers that came within the budget'),
    late_answers: count.describe('answers that came after the budget (the operation counts as a timeout)'),
    unanswered: count.describe('operations never answered before the end'),
    disconnects: count.describe('"disconnected" events it reported (transport detection)'),
    reconnects: count,
    stderr: z.string().describe('the end of what it wrote on stderr (trimmed)'),
  })
  .meta({ id: 'client_report' });

/** An external client's own account (one process). */
export type ClientReport = z.infer<typeof clientReportSchema>;

/** The external client of a scenario: how the harness drove it, and each path's process. */
export const clientResultSchema = z.object({
  policy: z
    .literal('pass-through')
    .describe("1 attempt per operation, no queue, no cache: retries, queues and caches are the client's own"),
  budget_ms: z.number().min(0).describe('timeout_ms of each operation: no answer by then is a timeout'),
  paths: z.record(z.string(), clientReportSchema.nullable()).describe('null: a probe of yours that keeps no such account'),
});

/** The `client` field of a result. */
export type ClientResult = z.infer<typeof clientResultSchema>;
