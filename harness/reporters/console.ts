/**
 * The console output: the summary in the shape of the partition-test plan (totals, one line per
 * test, the graceful-handling target, the detailed counts), and per scenario its details: requests
 * and ledger, throughput per phase with its degradation, and a table of its fault windows.
 */
import { clientLines, clientStderr, distinctNotes } from './client-text.js';
import type { FaultWindowResult, ReadableResult } from '../result-schema.js';
import { targetMet } from '../verdict.js';
import { mcpDetails } from './mcp-console.js';
import { clientConsoleLines } from './clients-console.js';

/** The summary text for `results`; the target is met when at least `target` of them degraded gracefully. */
export function consoleSummary(results: readonly ReadableResult[], target: number): string {
  const passed = results.filter((r) => r.passed).length;
  const graceful = results.filter((r) => r.graceful_degradation).length;
  const rate = results.length ? (passed / results.length) * 100 : 0;
  const met = targetMet(results, target);
  const mixed = new Set(results.map((r) => r.probe)).size > 1;
  const lines = [
    '=== Network Partition Test Summary ===',
    '',
    `Total Tests: ${results.length}`,
    `Passed: ${passed}`,
    `Failed: ${results.length - passed}`,
    `Success Rate: ${rate.toFixed(1)}%`,
    '',
    'Test Results:',
    ...results.map(
      (r) => `  ${r.passed ? '✓ PASS' : '✗ FAIL'} - ${r.test_name} (${r.duration_ms.toFixed(2)}ms) - ${r.title ?? r.test_type}${mixed ? ` [${r.probe}]` : ''}`,
    ),
    '',
    `Target (${Math.round(target * 100)}% graceful handling): ${met ? '✓ MET' : '✗ NOT MET'}`,
    '',
    'Detailed Metrics:',
    ` Cascading Failures: ${results.filter((r) => r.cascading_failure).length}`,
    ` Data Loss Events: ${results.filter((r) => r.data_lost).length}`,
    ` No Graceful Degradation: ${results.length - graceful}`,
  ];
  const notes = distinctNotes(results);
  if (notes.length) lines.push('', 'Notes:', ...notes.map((note) => `  ${note}`));
  const failures = results.filter((r) => !r.passed);
  if (failures.length) {
    lines.push('', 'Failures:');
    for (const r of failures) lines.push(`  ${r.test_name}: ${r.error_message ?? 'failed'}`);
  }
  return lines.join('\n') + '\n';
}

const fmt = (ms: number | null | undefined): string => (ms === null || ms === undefined ? '—' : `${ms.toFixed(1)}ms`);
const rate = (rps: number | null | undefined): string => (rps === null || rps === undefined ? '—' : rps.toFixed(1));

/** Per scenario: requests, ledger, throughput by phase, and the windows table. */
export function consoleDetails(results: readonly ReadableResult[]): string {
  return results.map(details).join('\n') + '\n';
}

function details(r: ReadableResult): string {
  const m = r.metrics;
  const ledger = r.ledger?.checked
    ? `ledger: ${r.ledger.acknowledged} acked, ${r.ledger.applied_unacknowledged.length} applied-unacked, ${r.ledger.duplicated.length} duplicated, ${r.ledger.lost_writes.length} lost`
    : 'ledger: not checked';
  const repaired = r.notification_stream_repairs ? ` (SDK lost the stream ${r.notification_stream_repairs}×, probe re-opened it)` : '';
  const notes = r.notifications_recovered == null ? '' : `; notifications ${r.notifications_recovered ? 'recovered' : 'LOST'}${repaired}`;
  const lines = [
    `  ${r.test_name} [${r.probe ?? '?'}]: ${m.successful_requests ?? '?'}/${m.total_requests ?? '?'} ok, retries ${r.retry_attempts}, queued ${m.queued_operations}; ${ledger}${notes}`,
  ];
  for (const emulation of r.emulated ?? []) lines.push(`    emulated: ${emulation}`);
  lines.push(...clientLines(r).map((line) => `    ${line}`)); // its notes are in the summary's Notes
  for (const { path, text } of clientStderr(r)) {
    lines.push(`    client ${path} stderr (last lines):`, ...text.split('\n').slice(-5).map((line) => `      | ${line}`));
  }
  const t = m.throughput_rps;
  if (t) {
    const between = t.between === null || t.between === undefined ? '' : ` (between faults ${rate(t.between)})`;
    lines.push(
      `    throughput req/s: before ${rate(t.before)} → during ${rate(t.during)} → after ${rate(t.after)}${between}; ` +
        `degradation ${m.throughput_degradation ?? '—'}, recovered ${m.recovered_throughput ?? '—'}`,
    );
  }
  for (const [path, p] of Object.entries(r.paths ?? {})) {
    if (!p.faulted) lines.push(`    ${path}: never faulted, ${p.phases.before.ok}/${p.phases.before.requests} ok, ${rate(p.phases.before.rps)} req/s`);
  }
  const o = m.over_windows;
  if (o && o.windows > 1) {
    lines.push(
      `    over ${o.windows} windows: detection p50 ${fmt(o.detection_ms.p50)} p99 ${fmt(o.detection_ms.p99)} max ${fmt(o.detection_ms.max)}; ` +
        `recovery p50 ${fmt(o.recovery_ms.p50)} p99 ${fmt(o.recovery_ms.p99)} max ${fmt(o.recovery_ms.max)}`,
    );
  }
  if (r.windows?.length) lines.push(...windowsTable(r.windows).map((line) => `    ${line}`));
  lines.push(...clientConsoleLines(r).map((line) => `    ${line}`));
  lines.push(...mcpDetails(r));
  return lines.join('\n');
}

/** The fault windows as a text table, a row per window. */
export function windowsTable(windows: readonly FaultWindowResult[]): string[] {
  const head = ['path', 'fault', 'applied', 'healed', 'detection', 'transport', 'loss window', 'recovery', 'stable', 'requests', 'failed', 'latency +'];
  const rows = windows.map((w) => [
    w.path,
    w.fault,
    fmt(w.applied_ms),
    w.healed_ms === null ? 'not healed' : fmt(w.healed_ms),
    w.detection_bound === 'client_timeout' ? `${fmt(w.detection_ms)} (timeout)` : fmt(w.detection_ms),
    fmt(w.transport_detection_ms),
    fmt(w.loss_window_ms),
    fmt(w.recovery_ms),
    fmt(w.recovery_stable_ms),
    String(w.requests),
    String(w.failed_requests),
    fmt(w.latency_increase_ms),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ').trimEnd();
  return [line(head), ...rows.map(line)];
}
