/**
 * Text every reporter shows about how to read a result (its notes) and about an external client
 * (how its process ended, its counts, the end of its stderr). Renders the result; computes nothing.
 */
import type { ClientReport } from '../result-client-schema.js';
import type { ReadableResult } from '../result-schema.js';

/** The notes of `results`, each once, in order of first appearance. */
export function distinctNotes(results: readonly ReadableResult[]): string[] {
  return [...new Set(results.flatMap((r) => r.notes ?? []))];
}

/** How a client process ended, in words. */
function ending(report: ClientReport): string {
  const how = report.signal ? `killed by ${report.signal}` : `exit ${report.exit_code ?? '?'}`;
  const when = { eof: 'after stdin closed', sigterm: 'after SIGTERM', sigkill: 'after SIGKILL', itself: 'during the run' }[report.stopped_by];
  return `${how} ${when}`;
}

/** One line per path with an external client: how it ended and what it said. */
export function clientLines(r: ReadableResult): string[] {
  const client = r.client;
  if (!client) return [];
  return Object.entries(client.paths).map(([path, report]) => {
    if (!report) return `client ${path}: pass-through, budget ${client.budget_ms} ms (a probe of yours)`;
    const counts = `${report.answers} answered, ${report.late_answers} late, ${report.unanswered} unanswered, ${report.disconnects} disconnects, ${report.reconnects} reconnects`;
    return `client ${path}: ${ending(report)}; ${counts}; budget ${client.budget_ms} ms`;
  });
}

/** Each path's client stderr (trimmed), labelled; empty when none wrote any. */
export function clientStderr(r: ReadableResult): Array<{ path: string; text: string }> {
  return Object.entries(r.client?.paths ?? {}).flatMap(([path, report]) => (report?.stderr ? [{ path, text: report.stderr }] : []));
}
