/** The MCP lines of a scenario's console details: the protocol spoken, stream figures, known defects, and each long call per request. */
import type { ReadableResult } from '../result-schema.js';

type McpCall = NonNullable<ReadableResult['mcp_calls']>[number];

/** The MCP lines of `r` (none for a result without an MCP protocol). */
export function mcpDetails(r: ReadableResult): string[] {
  if (r.mcp_protocol == null) return [];
  const work = r.work_after_cancel?.length ? r.work_after_cancel.join(', ') : 'none';
  const lines = [
    `    mcp ${r.mcp_protocol} (${r.mcp_sdk ?? '?'}): streams resumed ${r.resumed_streams ?? 0}, events replayed ${r.replayed_events ?? 0}, ` +
      `missing ${r.missing_events ?? 0}, duplicated ${r.duplicate_events ?? 0}, requests re-issued ${r.reissued_requests ?? 0}, work after cancel: ${work}`,
  ];
  if (r.mcp_transport === 'stdio') lines.push(`    stdio: server process exited ${r.server_exits ?? 0}×, restarted by the probe ${r.server_restarts ?? 0}×`);
  for (const call of r.mcp_calls ?? []) lines.push(...callLines(call));
  for (const d of r.known_defects ?? []) lines.push(`    known defect ${d.id} (${d.reference}; ${d.sdk}): ${d.summary}`, `      ${d.evidence}`);
  return lines;
}

function callLines(call: McpCall): string[] {
  const head = `    call ${call.id}: ${call.ok ? 'result received' : 'NO RESULT'}, write applied ${call.applied}×`;
  return [
    head,
    ...call.requests.map((q) => {
      const s = q.server;
      const server = s
        ? [
            `${s.steps.length} step(s) sent`,
            s.stream_closed_at !== null ? 'stream closed early' : '',
            s.cancel_requested_at !== null ? 'cancel asked' : '',
            s.aborted_at !== null ? 'aborted' : '',
            s.completed_at !== null ? 'completed' : 'not completed',
          ].filter(Boolean).join(', ')
        : 'never reached the server';
      const flags = [q.result ? 'answered' : '', q.abandoned ? 'abandoned (re-issued)' : '', q.work_after_cancel ? 'WORKED AFTER CANCEL' : ''].filter(Boolean).join(', ');
      const gaps = [q.missing.length ? `missing ${q.missing.join(',')}` : '', q.duplicate.length ? `twice ${q.duplicate.join(',')}` : ''].filter(Boolean).join('; ');
      return `      request ${q.request_id}: delivered [${q.delivered.join(',')}]${gaps ? ` (${gaps})` : ''}; server: ${server}${flags ? `; ${flags}` : ''}`;
    }),
  ];
}
