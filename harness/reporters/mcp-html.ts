/** The MCP parts of a scenario's section in the HTML report: its facts, the known defects it showed, and each call's stream timeline. */
import type { ReadableResult } from '../result-schema.js';
import { callTimelines } from './call-svg.js';
import { esc } from './svg.js';

/** The MCP facts of `r` as [label, value] pairs (none for a result without an MCP protocol). */
export function mcpFacts(r: ReadableResult): Array<[string, string]> {
  if (r.mcp_protocol == null) return [];
  return [
    ['MCP protocol spoken', r.mcp_protocol],
    ['Client SDK', r.mcp_sdk ?? '—'],
    ['Streams resumed · events replayed', `${r.resumed_streams ?? 0} · ${r.replayed_events ?? 0}`],
    ['Events missing · duplicated', `${r.missing_events ?? 0} · ${r.duplicate_events ?? 0}`],
    ['Requests re-issued', String(r.reissued_requests ?? 0)],
    ['Work after cancel', r.work_after_cancel?.length ? r.work_after_cancel.join(', ') : 'none'],
    ...(r.mcp_transport === 'stdio' ? [['stdio: server exits · restarts', `${r.server_exits ?? 0} · ${r.server_restarts ?? 0}`] as [string, string]] : []),
  ];
}

/** The known defects `r` showed, as a box ('' when none). */
export function defectsBox(r: ReadableResult): string {
  const defects = r.known_defects ?? [];
  if (defects.length === 0) return '';
  const items = defects.map((d) => `<li><b>${esc(d.id)}</b> (${esc(d.reference)}; ${esc(d.sdk)}): ${esc(d.summary)}<div class="ids">${esc(d.evidence)}</div></li>`);
  return `<div class="defects"><b>Known SDK behaviour seen (${defects.length})</b><ul>${items.join('')}</ul></div>`;
}

/** Each call's stream timeline under a heading ('' without calls). */
export function callSections(r: ReadableResult): string {
  return (r.mcp_calls ?? []).length ? `<h3 class="call">Stream timeline per call</h3>${callTimelines(r)}` : '';
}
