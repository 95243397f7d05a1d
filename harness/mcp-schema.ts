/**
 * The MCP shapes of a result, described once (zod; result-schema.ts composes them into the one
 * result schema): the protocol generations, what the demo server's call ledger records per
 * JSON-RPC request (served at `GET /ledger` under `calls`, so a harness on another host reads the
 * same shape), the timeline entries of MCP streams and long calls, and the per-call reconciliation.
 * Server times are wall-clock ms (`performance.timeOrigin + performance.now()` on the server).
 */
import { z } from 'zod';

/** The MCP protocol generations faultline speaks, oldest first. */
export const MCP_PROTOCOLS = ['2025-11-25', '2026-07-28'] as const;

/** An MCP protocol generation. */
export type McpProtocol = (typeof MCP_PROTOCOLS)[number];

/** Validates a protocol generation. */
export const mcpProtocolSchema = z.enum(MCP_PROTOCOLS);

const wall = z.number().describe('wall-clock ms since the epoch, on the server');
const step = z.number().int().min(0);
const time = z.number().describe('ms since the scenario started');

/** One JSON-RPC request of a long tool call, as the server's ledger recorded it. */
const serverCallSchema = z.object({
  op: z.string().describe('the operation id (the tool argument `id`)'),
  request_id: z.string().describe('the JSON-RPC id'),
  session: z.string().nullable().describe('the MCP session (2025-11-25); null on 2026-07-28'),
  protocol: mcpProtocolSchema,
  started_at: wall,
  steps: z.array(z.object({ step, at: wall })).describe('each progress step the handler performed and sent (or stored)'),
  stream_closed_at: wall.nullable().describe('the response stream closed before the response was written'),
  cancel_requested_at: wall.nullable().describe('a notifications/cancelled for this request arrived'),
  aborted_at: wall.nullable().describe("the handler's abort signal fired before it completed"),
  completed_at: wall.nullable(),
  applied: z.boolean().describe('the write was applied to the ledger (at completion)'),
}).meta({ id: 'server_call' });

/** A notification the server pushed, and to which sessions. */
const serverNoticeSchema = z.object({ n: step, at: wall, sessions: z.array(z.string()) });

/** How the demo server was set up (what a defect can be attributed to). */
const serverInfoSchema = z.object({
  protocols: z.array(mcpProtocolSchema),
  event_store: z.enum(['faultline', 'sdk-example', 'none']),
  retry_ms: z.number().int().nullable().describe('the SSE `retry` the server sends (2025-11-25)'),
  ignores_cancel: z.boolean(),
  sdk: z.array(z.string()),
});

/** The call ledger of the demo MCP server. */
export const callLedgerSchema = z.object({
  server: serverInfoSchema,
  calls: z.array(serverCallSchema),
  notices: z.array(serverNoticeSchema),
});

/** The call ledger, as served. */
export type CallLedgerSnapshot = z.infer<typeof callLedgerSchema>;

/** One request of a call as the server recorded it. */
export type ServerCall = z.infer<typeof serverCallSchema>;

/** Something the probe saw of an MCP stream (timeline entry `mcp`). */
export const mcpEntrySchema = z.object({
  type: z.literal('mcp'),
  path: z.string(),
  at: time,
  kind: z
    .enum(['event', 'resume', 'reconnect', 'stream_end', 'reissue'])
    .describe('event: an SSE message arrived; resume: GET with Last-Event-ID; reconnect: GET without it after a stream broke; stream_end: a stream ended before its response; reissue: a request sent again with a new id'),
  stream: z.enum(['call', 'request', 'standalone']).describe("call: a long call's response stream; request: another request's; standalone: the GET notification stream"),
  call: z.string().optional().describe('the op id of the call the stream belongs to'),
  request_id: z.string().optional(),
  event_id: z.string().optional(),
  last_event_id: z.string().optional(),
  status: z.number().int().optional().describe('resume, reconnect: the HTTP status (0: no answer)'),
  message: z.enum(['progress', 'result', 'notification']).optional(),
  step: step.optional(),
  notice: step.optional(),
  replayed: z.boolean().optional().describe('event: it arrived on a resumed stream'),
  error: z.string().optional(),
});

/** One JSON-RPC request of a call, as the client saw it. */
const clientRequestSchema = z.object({
  request_id: z.string(),
  delivered: z.array(step).describe('progress steps the SDK delivered to the application, in order'),
  result: z.boolean().describe('its response arrived'),
  abandoned: z.boolean().describe('the client gave it up and re-issued the call'),
});

/** A long tool call of a `call` step (timeline entry `call`). */
export const callEntrySchema = z.object({
  type: z.literal('call'),
  id: z.string(),
  path: z.string(),
  protocol: mcpProtocolSchema.nullable(),
  steps: step.describe('progress steps the tool was asked to stream'),
  timeout_ms: z.number().int().min(0).describe('how long the client waited for the result in all'),
  start: time,
  end: time,
  ok: z.boolean(),
  error: z.string().optional(),
  requests: z.array(clientRequestSchema),
  untriggered: z.array(z.string()).describe('during-actions whose trigger never came (heals among them were applied at the end)'),
});

/** One request of a call, reconciled: the client's side against the server's ledger. */
const reconciledRequestSchema = clientRequestSchema.extend({
  server: serverCallSchema.nullable().describe('null: the server never saw it'),
  missing: z.array(step).describe('steps the server sent that never reached the application (counted unless abandoned)'),
  duplicate: z.array(step).describe('steps delivered more than once'),
  work_after_cancel: z.boolean().describe('the server kept working (a step or completion) after it was told to stop'),
});

/** A call step reconciled per request (the stream timeline of the report). */
export const mcpCallSchema = z.object({
  id: z.string(),
  path: z.string(),
  ok: z.boolean(),
  applied: step.describe('times the ledger applied the call\'s write'),
  requests: z.array(reconciledRequestSchema),
}).meta({ id: 'mcp_call' });

/** A known SDK behaviour the run showed, with the evidence. */
const defectSchema = z.object({
  id: z.enum(['resume-without-last-event-id', 'example-event-store-replay', 'reconnection-gave-up', 'broken-stream-not-reissued']),
  sdk: z.string().describe('the SDK and version that showed it'),
  reference: z.string().describe('where it is known from'),
  summary: z.string(),
  evidence: z.string(),
});

/** A known SDK behaviour seen in a run. */
export type Defect = z.infer<typeof defectSchema>;

/** The MCP fields of a result (null counts: the probe is not MCP). */
export const mcpResultShape = {
  mcp_protocol: mcpProtocolSchema.nullable().describe('the protocol generation really spoken on the wire (MCP-Protocol-Version of the requests that got an answer)'),
  mcp_sdk: z.string().nullable().describe('the client SDK and version the probe used'),
  mcp_transport: z.enum(['http', 'stdio']).nullable().describe('http: Streamable HTTP (probe mcp); stdio: the server process behind `faultline stdio` (probe mcp-stdio)'),
  server_exits: z.number().int().min(0).nullable().describe('stdio: times the server process exited under the client (a drop, a kill, a refuse); null over HTTP'),
  server_restarts: z.number().int().min(0).nullable().describe('stdio: times the probe started the server process again after it exited (the SDK itself never does); null over HTTP'),
  wall_origin_ms: z.number().nullable().describe("wall-clock ms at the scenario's start: a server time (call ledger) minus this is on the timeline"),
  resumed_streams: z.number().int().min(0).nullable().describe('GETs with Last-Event-ID that the server answered with a stream'),
  replayed_events: z.number().int().min(0).nullable().describe('SSE messages that arrived on a resumed stream and that the server had sent before the resumption was answered (all that arrived on resumed streams when the server keeps no call ledger)'),
  missing_events: z.number().int().min(0).nullable().describe('progress steps and notifications the server sent that never reached the application'),
  duplicate_events: z.number().int().min(0).nullable().describe('progress steps and notifications delivered more than once'),
  work_after_cancel: z.array(z.string()).describe('requests ("op/request-id") the server kept working on after it was told to stop'),
  reissued_requests: z.number().int().min(0).nullable().describe('requests sent again with a new id after their stream broke (2026-07-28)'),
  known_defects: z.array(defectSchema),
  mcp_calls: z.array(mcpCallSchema),
};
