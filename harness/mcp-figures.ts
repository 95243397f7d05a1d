/**
 * The MCP figures of a result, pure functions of the timeline (what the probe saw on the wire and
 * delivered to the application), the probe's facts and the server's call ledger:
 * - per call step and JSON-RPC request: the progress steps the server performed against those the
 *   application received; `missing` counts only for requests the client did not abandon (a
 *   re-issued request's own stream is lost by design), `duplicate` for all;
 * - work after cancel: a request the server was told to stop (2026-07-28: its response stream
 *   closed; 2025-11-25: a notifications/cancelled, since a disconnect is no cancellation there) and
 *   that still performed a step or completed afterwards;
 * - notifications: those the server pushed to one of the probe's sessions that never arrived, or
 *   arrived more than once;
 * - streams resumed (a GET with Last-Event-ID answered with a stream), messages replayed (arrived
 *   on a resumed stream), requests re-issued.
 */
import type { z } from 'zod';
import type { CallLedgerSnapshot, mcpCallSchema, mcpResultShape, ServerCall } from './mcp-schema.js';
import type { McpFacts } from './probes/call.js';
import type { Reconciliation } from './reconcile.js';
import type { Scenario } from './scenario.js';
import type { CallEntry, McpEntry, Timeline } from './timeline.js';
import type { Ledger } from './upstreams/upstream.js';

/** The MCP fields of a result. */
export type McpFigures = { [K in keyof typeof mcpResultShape]: z.infer<(typeof mcpResultShape)[K]> };

type McpCall = z.infer<typeof mcpCallSchema>;

/** Everything the MCP figures come from. */
export interface McpInputs {
  timeline: Timeline;
  /** The probe's facts; undefined when the probe is not MCP. */
  facts: McpFacts | undefined;
  calls: CallLedgerSnapshot | undefined;
  ledger: Ledger | undefined;
}

/** The MCP figures, without the known defects (mcp-defects.ts adds them). */
export function mcpFigures({ timeline, facts, calls, ledger }: McpInputs): Omit<McpFigures, 'known_defects'> {
  const mcpCalls = timeline.calls().map((entry) => reconcileCall(entry, calls?.calls.filter((c) => c.op === entry.id) ?? [], ledger));
  if (!facts) {
    return { mcp_protocol: null, mcp_sdk: null, mcp_transport: null, server_exits: null, server_restarts: null, wall_origin_ms: null, resumed_streams: null, replayed_events: null, missing_events: null, duplicate_events: null, work_after_cancel: [], reissued_requests: null, mcp_calls: mcpCalls };
  }
  const wire = timeline.mcp();
  const notices = noticeFigures(timeline, facts, calls);
  const requests = mcpCalls.flatMap((c) => c.requests);
  return {
    mcp_protocol: facts.protocol,
    mcp_sdk: facts.sdk,
    mcp_transport: facts.transport ?? 'http',
    server_exits: facts.transport === 'stdio' ? (facts.serverExits ?? 0) : null,
    server_restarts: facts.transport === 'stdio' ? (facts.serverRestarts ?? 0) : null,
    wall_origin_ms: timeline.wallOrigin,
    resumed_streams: wire.filter((e) => e.kind === 'resume' && (e.status ?? 0) >= 200 && (e.status ?? 0) < 300).length,
    replayed_events: replayedEvents(timeline, calls),
    missing_events: requests.reduce((n, r) => n + r.missing.length, 0) + notices.missing,
    duplicate_events: requests.reduce((n, r) => n + r.duplicate.length, 0) + notices.duplicate,
    work_after_cancel: mcpCalls.flatMap((c) => c.requests.filter((r) => r.work_after_cancel).map((r) => `${c.id}/${r.request_id}`)),
    reissued_requests: wire.filter((e) => e.kind === 'reissue').length,
    mcp_calls: mcpCalls,
  };
}

/** What failed among the MCP expectations of `scenario`. */
export function mcpExpectationFailures(scenario: Scenario, figures: Omit<McpFigures, 'known_defects'>, reconciliation: Reconciliation): string[] {
  const failed: string[] = [];
  const want = scenario.expect;
  const check = (name: string, expected: boolean | undefined, actual: boolean, detail: string): void => {
    if (expected !== undefined && expected !== actual) failed.push(`${name} was ${actual}, expected ${expected}${detail ? ` (${detail})` : ''}`);
  };
  const hung = figures.mcp_calls.filter((c) => !c.ok).map((c) => c.id);
  check('call_completed', want.call_completed, hung.length === 0, hung.length ? `no result for ${hung.join(', ')}` : '');
  const missing = figures.missing_events ?? 0;
  const duplicate = figures.duplicate_events ?? 0;
  check('events_exactly_once', want.events_exactly_once, missing === 0 && duplicate === 0, `${missing} missing, ${duplicate} duplicated`);
  check('no_work_after_cancel', want.no_work_after_cancel, figures.work_after_cancel.length === 0, figures.work_after_cancel.join(', '));
  check('no_duplicates', want.no_duplicates, reconciliation.duplicated.length === 0, reconciliation.duplicated.join(', '));
  return failed;
}

function reconcileCall(entry: CallEntry, server: ServerCall[], ledger: Ledger | undefined): McpCall {
  const known = new Set(entry.requests.map((r) => r.request_id));
  const unseen = server.filter((s) => !known.has(s.request_id)).map((s) => ({ request_id: s.request_id, delivered: [], result: false, abandoned: true }));
  const requests = [...entry.requests, ...unseen].map((request) => {
    const mine = server.find((s) => s.request_id === request.request_id) ?? null;
    const delivered = new Set(request.delivered);
    const counts = new Map<number, number>();
    for (const step of request.delivered) counts.set(step, (counts.get(step) ?? 0) + 1);
    return {
      ...request,
      server: mine,
      missing: mine && !request.abandoned ? mine.steps.map((s) => s.step).filter((s) => !delivered.has(s)) : [],
      duplicate: [...counts].filter(([, n]) => n > 1).map(([step]) => step),
      work_after_cancel: mine ? workAfterCancel(mine) : false,
    };
  });
  return { id: entry.id, path: entry.path, ok: entry.ok, applied: ledger?.get(entry.id) ?? 0, requests };
}

/** Whether the server performed a step or completed after it was told to stop `call`. */
function workAfterCancel(call: ServerCall): boolean {
  const told = call.protocol === '2026-07-28' ? call.stream_closed_at : call.cancel_requested_at;
  if (told === null) return false;
  return call.steps.some((s) => s.at > told) || (call.completed_at !== null && call.completed_at > told);
}

/**
 * Messages that arrived on a resumed stream and that the server had sent before that resumption was
 * answered; without a call ledger, every message that arrived on a resumed stream.
 */
function replayedEvents(timeline: Timeline, calls: CallLedgerSnapshot | undefined): number {
  const wire = timeline.mcp();
  const resumes = wire.filter((e) => e.kind === 'resume' && e.status === 200);
  const sentAt = (e: McpEntry): number | undefined => {
    if (e.message === 'notification') return calls?.notices.find((n) => n.n === e.notice)?.at;
    const server = calls?.calls.find((c) => c.op === e.call && c.request_id === e.request_id);
    return e.message === 'progress' ? server?.steps.find((s) => s.step === e.step)?.at : (server?.completed_at ?? undefined);
  };
  return wire.filter((e) => {
    if (e.kind !== 'event' || !e.replayed) return false;
    const resume = resumes.filter((r) => r.at <= e.at && r.stream === e.stream && r.call === e.call).at(-1);
    const sent = sentAt(e);
    return !resume || sent === undefined || sent < timeline.wallOrigin + resume.at;
  }).length;
}

/** Notifications pushed to the probe's sessions during the scenario that never arrived, or arrived twice. */
function noticeFigures(timeline: Timeline, facts: McpFacts, calls: CallLedgerSnapshot | undefined): { missing: number; duplicate: number } {
  const received = new Map<number, number>();
  for (const e of timeline.mcp()) if (e.message === 'notification' && e.notice !== undefined) received.set(e.notice, (received.get(e.notice) ?? 0) + 1);
  const ours = new Set(facts.sessions);
  const from = timeline.wallOrigin;
  const pushed = (calls?.notices ?? []).filter((n) => n.at >= from && n.sessions.some((s) => ours.has(s)));
  return {
    missing: pushed.filter((n) => !received.has(n.n)).length,
    duplicate: [...received.values()].filter((count) => count > 1).length,
  };
}
