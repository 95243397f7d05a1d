/**
 * The console summary, in the shape of the partition-test plan:
 * totals, one line per test, the graceful-handling target, and the detailed counts.
 */
import { lostWrites } from '../reconcile.js';
import type { ScenarioResult } from '../result.js';

/** The summary text for `results`; the target is met when at least `target` of them degraded gracefully. */
export function consoleSummary(results: readonly ScenarioResult[], target: number): string {
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
      (r) => `  ${r.passed ? '✓ PASS' : '✗ FAIL'} - ${r.test_name} (${r.duration_ms.toFixed(2)}ms) - ${r.title}${mixed ? ` [${r.probe}]` : ''}`,
    ),
    '',
    `Target (${Math.round(target * 100)}% graceful handling): ${met ? '✓ MET' : '✗ NOT MET'}`,
    '',
    'Detailed Metrics:',
    ` Cascading Failures: ${results.filter((r) => r.cascading_failure).length}`,
    ` Data Loss Events: ${results.filter((r) => r.data_lost).length}`,
    ` No Graceful Degradation: ${results.length - graceful}`,
  ];
  const failures = results.filter((r) => !r.passed);
  if (failures.length) {
    lines.push('', 'Failures:');
    for (const r of failures) lines.push(`  ${r.test_name}: ${r.error_message ?? 'failed'}`);
  }
  return lines.join('\n') + '\n';
}

/** Whether at least `target` (0..1) of the results degraded gracefully. */
export function targetMet(results: readonly ScenarioResult[], target: number): boolean {
  if (results.length === 0) return false;
  return results.filter((r) => r.graceful_degradation).length / results.length >= target;
}

/** A few figures per scenario (detection, recovery, ledger) for people reading the console. */
export function consoleDetails(results: readonly ScenarioResult[]): string {
  const fmt = (ms: number | null): string => (ms === null ? '—' : `${ms.toFixed(1)}ms`);
  return (
    results
      .map((r) => {
        const m = r.metrics;
        const bound = m.detection_bound_by === 'client_timeout' ? ' (client timeout)' : '';
        const ledger = r.ledger.checked
          ? `ledger: ${r.ledger.acknowledged} acked, ${r.ledger.applied_unacknowledged.length} applied-unacked, ${r.ledger.duplicated.length} duplicated, ${lostWrites(r.ledger).length} lost`
          : 'ledger: not checked';
        const repaired = r.notification_stream_repairs ? ` (SDK lost the stream ${r.notification_stream_repairs}×, probe re-opened it)` : '';
        const notes = r.notifications_recovered === null ? '' : `, notifications ${r.notifications_recovered ? 'recovered' : 'LOST'}${repaired}`;
        return `  ${r.test_name} [${r.probe}]: detect ${fmt(m.detection_time_ms)}${bound}, recover ${fmt(m.recovery_time_ms)}, ${m.successful_requests}/${m.total_requests} ok, retries ${r.retry_attempts}, queued ${m.queued_operations}; ${ledger}${notes}`;
      })
      .join('\n') + '\n'
  );
}
