/** Renders benchmark results: the per-round progress line, the summary tables and the JSON file. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RoundResult } from './round.js';
import { METRICS, type MetricSummary, type RatioSummary } from './summary.js';

function num(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  const abs = Math.abs(value);
  return abs >= 100 ? value.toFixed(0) : abs >= 10 ? value.toFixed(1) : value.toFixed(2);
}

function ratio(value: number): string {
  return Number.isNaN(value) ? '—' : value.toFixed(2);
}

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function target(summary: RatioSummary, who: string): string | undefined {
  if (!summary.target) return undefined;
  return `${who} ${summary.target.op === '>=' ? '≥' : '≤'} ${summary.target.ratio.toFixed(2)}`;
}

function verdict(summary: RatioSummary, who: string): string | undefined {
  if (summary.met === undefined) return undefined;
  return `${who} ${summary.met ? 'yes' : 'NO'}`;
}

/** One line per round: the ratios of faultline (and tox0) to the pipe for each metric. */
export function formatRound(round: RoundResult, total: number): string {
  const measured = METRICS.filter((m) => m.faultline && m.value(round, 'pipe') !== undefined);
  const parts = measured.map((m) => {
    const pipe = m.value(round, 'pipe') as number;
    const fl = m.value(round, 'faultline');
    const tox0 = m.value(round, 'faultline-tox0');
    if (fl === undefined) return `${m.key} —`;
    return `${m.key} ${ratio(fl / pipe)}${tox0 === undefined ? '' : `/${ratio(tox0 / pipe)}`}`;
  });
  const load = `load ${round.loadavg.map((l) => l.toFixed(1)).join('→')}`;
  return `round ${round.round}/${total} [${round.order.join(', ')}] ${load}; faultline/pipe (tox0/pipe): ${parts.join('  ')}`;
}

/** The main table: medians per variant, median ratios to the pipe, targets and verdicts. */
export function formatTable(summaries: MetricSummary[]): string {
  const lines = [
    row(['metric', 'direct', 'pipe', 'faultline', 'faultline tox0', 'ratio faultline/pipe', 'ratio tox0/pipe', 'target', 'met?']),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---', '---']),
  ];
  for (const s of summaries.filter((m) => Object.values(m.medians).some((v) => v !== null))) {
    const targets = [target(s.faultline, 'faultline'), target(s.tox0, 'tox0')].filter(Boolean).join(', ');
    const verdicts = [verdict(s.faultline, 'faultline'), verdict(s.tox0, 'tox0')].filter(Boolean).join(', ');
    lines.push(
      row([
        s.label,
        num(s.medians.direct),
        num(s.medians.pipe),
        num(s.medians.faultline),
        num(s.medians['faultline-tox0']),
        ratio(s.faultline.median),
        ratio(s.tox0.median),
        targets || '—',
        verdicts || '—',
      ]),
    );
  }
  return lines.join('\n');
}

/** The per-round ratios faultline/pipe, to show the spread behind each median. */
export function formatRatios(summaries: MetricSummary[]): string {
  const rounds = Math.max(...summaries.map((s) => s.faultline.perRound.length));
  const lines = [
    row(['faultline/pipe per round', ...Array.from({ length: rounds }, (_, i) => `r${i + 1}`), 'tox0/pipe per round']),
    row(['---', ...Array.from({ length: rounds }, () => '---:'), '---']),
  ];
  for (const s of summaries.filter((m) => m.faultline.perRound.length > 0)) {
    lines.push(row([s.label, ...s.faultline.perRound.map(ratio), s.tox0.perRound.map(ratio).join(' ')]));
  }
  return lines.join('\n');
}

/** Writes `document` as `<dir>/data-plane-<timestamp>.json`; returns the path. */
export async function writeJson(dir: string, startedAt: Date, document: unknown): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, `data-plane-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify(document, null, 2)}\n`);
  return file;
}
