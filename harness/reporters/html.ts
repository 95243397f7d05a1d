/**
 * The HTML report: one self-contained page (inline CSS and static SVG, no scripts, nothing
 * fetched) with the totals and the graceful-handling target, a summary table, and per scenario its
 * figures and its timeline. It renders the canonical results JSON and computes nothing new.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { clientLines, clientStderr, distinctNotes } from './client-text.js';
import type { FaultWindowResult, ReadableResult } from '../result-schema.js';
import { FLAGS, type Flag } from '../scenario.js';
import { targetMet } from '../verdict.js';
import { REPORT_CSS } from './html-style.js';
import { legendSvg } from './legend.js';
import { callSections, defectsBox, mcpFacts } from './mcp-html.js';
import type { Phase } from '../metrics.js';
import { esc, fmtMs } from './svg.js';
import { timelineSvg } from './timeline-svg.js';
import { clientsSvg, hasClients } from './clients-svg.js';

/** How the page is labelled. */
export interface HtmlOptions {
  /** Share of scenarios that must degrade gracefully (0..1); default 0.85. */
  target?: number;
  /** Where the results came from (shown in the header). */
  source?: string;
  /** When the report was made (shown in the header; omitted when not given). */
  generatedAt?: Date;
}


const FLAG_HEADINGS: Record<Flag, string> = {
  connection_lost: 'Conn. lost',
  recovery_success: 'Recovered',
  data_lost: 'Data lost',
  cascading_failure: 'Cascade',
  graceful_degradation: 'Graceful',
};

/** The whole report page for `results`. */
export function renderHtml(results: readonly ReadableResult[], options: HtmlOptions = {}): string {
  const target = options.target ?? 0.85;
  const body = results.length
    ? `${summaryTable(results)}<div class="legend">${legendSvg()}</div>${results.map(section).join('\n')}`
    : '<p class="panel empty">The results file holds no scenarios.</p>';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Network partition test report</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
${header(results, target, options)}
${body}
<footer>faultline · times are ms since each scenario started · hover a mark for its details</footer>
</main>
</body>
</html>
`;
}

/** Renders `results` and writes the page to `file` (creating its folder). */
export async function writeHtml(results: readonly ReadableResult[], file: string, options: HtmlOptions = {}): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, renderHtml(results, options));
}

const badge = (passed: boolean): string => (passed ? '<span class="badge pass">PASS</span>' : '<span class="badge fail">FAIL</span>');

function header(results: readonly ReadableResult[], target: number, options: HtmlOptions): string {
  const total = results.length;
  const passed = results.filter((r) => r.passed).length;
  const graceful = results.filter((r) => r.graceful_degradation).length;
  const pct = (part: number): string => (total ? `${((part / total) * 100).toFixed(1)}%` : '—');
  const met = targetMet(results, target);
  const verdict = `${graceful}/${total} (${pct(graceful)}) ${met ? '✓ MET' : '✗ NOT MET'}`;
  const source = options.source ? `from ${esc(options.source)}` : '';
  const when = options.generatedAt ? `generated ${esc(options.generatedAt.toISOString())}` : '';
  const card = (k: string, v: string, cls = ''): string => `<div class="card ${cls}"><div class="k">${k}</div><div class="v">${v}</div></div>`;
  const counts = [
    ['Cascading failures', results.filter((r) => r.cascading_failure).length],
    ['Data loss events', results.filter((r) => r.data_lost).length],
    ['No graceful degradation', total - graceful],
  ];
  const notes = distinctNotes(results);
  const noteList = notes.length ? `\n<ul class="notes">${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : '';
  return `<h1>Network partition test report</h1>
<p class="sub">${[source, when].filter(Boolean).join(' · ') || '&nbsp;'}</p>
<div class="cards">
${card('Scenario runs', String(total))}
${card('Passed', String(passed), 'good')}
${card('Failed', String(total - passed), passed < total ? 'bad' : '')}
${card('Success rate', pct(passed))}
${card(`Graceful handling · target ${Math.round(target * 100)}%`, verdict, met ? 'target met' : 'target unmet')}
</div>
<p class="counts">${counts.map(([k, v]) => `${k}: <b>${v}</b>`).join(' · ')}</p>${noteList}`;
}

/** A scenario's notes, its external client's account and the end of its stderr. */
function clientHtml(r: ReadableResult): string {
  const lines = [...(r.notes ?? []).map((n) => `note: ${n}`), ...clientLines(r)];
  const stderr = clientStderr(r).map(({ path, text }) => `<details><summary>client ${esc(path)} stderr</summary><pre>${esc(text)}</pre></details>`);
  return lines.length || stderr.length ? `<div class="notes">${lines.map((l) => `<p>${esc(l)}</p>`).join('')}${stderr.join('')}</div>` : '';
}

function flagCell(r: ReadableResult, flag: Flag): string {
  const value = r[flag];
  const want = r.expected?.[flag];
  const cls = want === undefined ? 'free' : want === value ? 'match' : 'miss';
  const title = want === undefined ? `${flag}: ${value} (no expectation)` : `${flag}: ${value}, expected ${want}`;
  const mark = { free: '', match: ' ✓', miss: ' ✗' }[cls];
  return `<td class="flag ${cls}" title="${esc(title)}">${value ? 'yes' : 'no'}${mark}</td>`;
}

function summaryRow(r: ReadableResult, i: number): string {
  const m = r.metrics;
  const bound = m.detection_bound_by === 'client_timeout' ? '<div class="t">client timeout</div>' : '';
  const lost = r.ledger ? r.ledger.lost_writes.length : 0;
  return (
    `<tr><td><a href="#s${i}">${esc(r.test_name)}</a><div class="t">${esc(r.title ?? r.test_type)}</div></td>` +
    `<td><span class="badge probe">${esc(r.probe ?? '—')}</span></td><td>${badge(r.passed)}</td>` +
    FLAGS.map((f) => flagCell(r, f)).join('') +
    `<td class="num">${fmtMs(m.detection_time_ms)}${bound}</td><td class="num">${fmtMs(m.recovery_time_ms)}</td>` +
    `<td class="num">${m.successful_requests ?? '—'}/${m.total_requests ?? '—'}</td>` +
    `<td class="num${lost ? ' lost' : ''}">${lost}</td></tr>`
  );
}

function summaryTable(results: readonly ReadableResult[]): string {
  const heads = [
    '<th>Scenario</th><th>Probe</th><th>Result</th>',
    ...FLAGS.map((f) => `<th class="flag" title="${f}">${FLAG_HEADINGS[f]}</th>`),
    '<th class="num">Detection</th><th class="num">Recovery</th><th class="num">Requests ok</th>',
    '<th class="num" title="writes that did not reach the server">Data lost ids</th>',
  ];
  return `<div class="panel"><table>
<thead><tr>${heads.join('')}</tr></thead>
<tbody>${results.map(summaryRow).join('\n')}</tbody></table></div>`;
}

function facts(r: ReadableResult): string {
  const m = r.metrics;
  const lat = (p: Phase): string => `${fmtMs(m.latency_ms?.[p]?.p50)} / ${fmtMs(m.latency_ms?.[p]?.p99)}`;
  const rps = (p: Phase): string => String(m.throughput_rps?.[p] ?? '—');
  const over = m.over_windows;
  const spread = (s: { p50: number | null; p99: number | null; max: number | null } | undefined): string =>
    s ? `${fmtMs(s.p50)} / ${fmtMs(s.p99)} / ${fmtMs(s.max)}` : '—';
  const l = r.ledger;
  const ledger = l?.checked
    ? [
        `${l.acknowledged} acknowledged`,
        `${l.lost_writes.length} lost`,
        `${l.applied_unacknowledged.length} applied but unacknowledged`,
        `${l.duplicated.length} duplicated`,
      ].join(' · ')
    : 'not checked';
  const notes = r.notifications_recovered == null ? 'not checked' : r.notifications_recovered ? 'recovered' : 'LOST';
  const repairs = r.notification_stream_repairs ? ` (stream repaired ${r.notification_stream_repairs}×)` : '';
  const items: Array<[string, string, boolean?]> = [
    ['Detection', `${fmtMs(m.detection_time_ms)}${m.detection_bound_by === 'client_timeout' ? ' (client timeout)' : ''}`],
    ...(m.harness_lag_ms === undefined ? [] : [['Harness lag', `${fmtMs(m.harness_lag_ms)} while these were measured: times may be late by that much`, true] as [string, string, boolean]]),
    ['Transport detection', fmtMs(m.transport_detection_time_ms)],
    ['Loss window', fmtMs(m.loss_window_ms)],
    ['Recovery (first / stable)', `${fmtMs(m.recovery_time_ms)} / ${fmtMs(m.recovery_time_stable_ms)}`],
    ['Recovery attempts', String(m.recovery_attempts)],
    [`Detection p50/p99/max (${over?.windows ?? 0} windows)`, spread(over?.detection_ms)],
    ['Recovery p50/p99/max', spread(over?.recovery_ms)],
    ['Requests ok', `${m.successful_requests ?? '—'}/${m.total_requests ?? '—'}`],
    ['Retries · queued · cached', `${r.retry_attempts} · ${m.queued_operations} · ${m.cached_responses}`],
    ['p50/p99 before', lat('before')],
    ['p50/p99 during', lat('during')],
    ['p50/p99 after', lat('after')],
    ['Throughput req/s', `${rps('before')} → ${rps('during')} → ${rps('after')}`],
    ['Throughput degradation', `${m.throughput_degradation ?? '—'} (during ÷ before)`],
    ['Recovered throughput', `${m.recovered_throughput ?? '—'} (after ÷ before)`],
    ['Ledger', ledger, true],
    ['Notifications', notes + repairs],
    ['Duration', fmtMs(r.duration_ms)],
    ['Fault timing', m.fault_timing_source ?? '—'],
    ...mcpFacts(r),
  ];
  const leaks = r.leaks;
  if (leaks) {
    const text = `${leaks.before.sockets}→${leaks.after.sockets} · ${leaks.before.fds}→${leaks.after.fds}${leaks.leaked ? ' LEAKED' : ''}`;
    items.push(['Sockets · fds', text]);
  }
  const cells = items.map(([k, v, wide]) => `<div${wide ? ' class="wide"' : ''}><dt>${esc(k)}</dt><dd>${esc(v)}</dd></div>`);
  return `<dl class="facts">${cells.join('')}</dl>`;
}

function section(r: ReadableResult, i: number): string {
  const failures = r.failed_expectations?.length ? r.failed_expectations : r.error_message ? [r.error_message] : [];
  const items = failures.map((f) => `<li>${esc(f)}</li>`).join('');
  const alert = r.passed || failures.length === 0 ? '' : `<div class="alert"><b>Failed</b><ul>${items}</ul></div>`;
  const lost = r.ledger ? r.ledger.lost_writes : [];
  const lostIds = lost.length
    ? `<div class="alert"><b>Writes that did not reach the server (${lost.length})</b><div class="ids">${esc(lost.join(', '))}</div></div>`
    : '';
  const title = `${esc(r.title ?? '')} · ${esc(r.test_type)}`;
  return `<section class="scenario panel" id="s${i}">
<header><h2>${esc(r.test_name)}</h2><span class="badge probe">${esc(r.probe ?? '—')}</span>${badge(r.passed)}<span class="title">${title}</span></header>
${alert}${lostIds}${emulated(r)}${clientHtml(r)}${defectsBox(r)}${facts(r)}
${hasClients(r) ? clientsSvg(r) : timelineSvg(r)}
${callSections(r)}
${windowsTable(r.windows ?? [])}
</section>`;
}

/** The faults the server lacked and the harness emulated: said first, so nobody mistakes them for the real ones. */
function emulated(r: ReadableResult): string {
  if (!r.emulated?.length) return '';
  return `<div class="notice"><b>Emulated on a server without faultline's extensions</b><ul>${r.emulated.map((e) => `<li>${esc(e)}</li>`).join('')}</ul></div>`;
}

/** The fault windows of a scenario, a row each, under its timeline. */
function windowsTable(windows: readonly FaultWindowResult[]): string {
  if (windows.length === 0) return '';
  const heads = ['Path', 'Fault', 'Applied', 'Healed', 'Detection', 'Transport', 'Loss window', 'Recovery', 'Stable', 'Requests', 'Failed', 'Latency +'];
  const cell = (text: string, num = true): string => `<td${num ? ' class="num"' : ''}>${esc(text)}</td>`;
  const rows = windows.map((w) =>
    [
      cell(w.path, false),
      cell(w.fault, false),
      cell(fmtMs(w.applied_ms)),
      cell(w.healed_ms === null ? 'not healed' : fmtMs(w.healed_ms)),
      cell(`${fmtMs(w.detection_ms)}${w.detection_bound === 'client_timeout' ? ' (client timeout)' : ''}`),
      cell(fmtMs(w.transport_detection_ms)),
      cell(fmtMs(w.loss_window_ms)),
      cell(fmtMs(w.recovery_ms)),
      cell(fmtMs(w.recovery_stable_ms)),
      cell(String(w.requests)),
      cell(String(w.failed_requests)),
      cell(fmtMs(w.latency_increase_ms)),
    ].join(''),
  );
  const head = heads.map((h, i) => `<th${i > 1 ? ' class="num"' : ''}>${h}</th>`).join('');
  return `<table class="windows"><thead><tr>${head}</tr></thead><tbody>${rows.map((r) => `<tr class="window">${r}</tr>`).join('')}</tbody></table>`;
}
