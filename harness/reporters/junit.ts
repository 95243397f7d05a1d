/** JUnit XML: one testcase per scenario, a failure with the reason, so CI systems show results natively. */
import type { ReadableResult } from '../result-schema.js';
import { clientLines, clientStderr } from './client-text.js';
import { windowsTable } from './console.js';

/** Escapes text for XML attributes and content. */
function xml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    // Characters XML 1.0 cannot carry at all.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function details(r: ReadableResult): string {
  const m = r.metrics;
  return [
    `flags: connection_lost=${r.connection_lost} recovery_success=${r.recovery_success} data_lost=${r.data_lost} cascading_failure=${r.cascading_failure} graceful_degradation=${r.graceful_degradation}`,
    `requests: ${m.successful_requests}/${m.total_requests} ok, retries ${r.retry_attempts}, queued ${m.queued_operations}, cached ${m.cached_responses}`,
    `detection_time_ms=${m.detection_time_ms}${m.detection_bound_by === 'client_timeout' ? ' (client timeout)' : ''} recovery_time_ms=${m.recovery_time_ms} loss_window_ms=${m.loss_window_ms}`,
    `ledger: ${r.ledger?.checked ? `${r.ledger.acknowledged} acknowledged, lost [${r.ledger.lost_writes.join(', ')}], applied-unacknowledged [${r.ledger.applied_unacknowledged.join(', ')}], duplicated [${r.ledger.duplicated.join(', ')}]` : 'not checked'}`,
    ...(r.emulated ?? []).map((e) => `emulated: ${e}`),
    ...(r.notes ?? []).map((note) => `note: ${note}`),
    ...clientLines(r),
    ...(r.windows?.length ? ['windows:', ...windowsTable(r.windows)] : []),
  ].join('\n');
}

/** The JUnit XML document for `results`. */
export function renderJunit(results: readonly ReadableResult[], suite = 'faultline network partition tests'): string {
  const failures = results.filter((r) => !r.passed).length;
  const total = results.reduce((sum, r) => sum + r.duration_ms, 0);
  const cases = results.map((r) => {
    const open = `  <testcase classname="faultline.${xml(r.probe ?? 'probe')}" name="${xml(r.test_name)}" time="${seconds(r.duration_ms)}">`;
    const failure = r.passed
      ? ''
      : `\n    <failure message="${xml(r.error_message ?? 'failed')}" type="${xml(r.test_type)}">${xml((r.failed_expectations ?? []).join('\n'))}</failure>`;
    const stderr = clientStderr(r).map(({ path, text }) => `client ${path}:\n${text}`).join('\n');
    const err = stderr ? `\n    <system-err>${xml(stderr)}</system-err>` : '';
    return `${open}${failure}\n    <system-out>${xml(details(r))}</system-out>${err}\n  </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xml(suite)}" tests="${results.length}" failures="${failures}" time="${seconds(total)}">`,
    `<testsuite name="${xml(suite)}" tests="${results.length}" failures="${failures}" errors="0" skipped="0" time="${seconds(total)}">`,
    ...cases,
    '</testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
