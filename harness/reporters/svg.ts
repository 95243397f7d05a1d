/** Small building blocks of the HTML report's inline SVG: escaping, number formats, scales, ticks, marker shapes. */
import type { Outcome } from '../timeline.js';

/** Escapes text for HTML and SVG content and attribute values. */
export function esc(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A coordinate with one decimal (SVG attributes stay short). */
export function n(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value * 10) / 10) : '0';
}

/** A duration for people: "0.8 ms", "74.7 ms", "2.13 s"; "—" for null. */
export function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (Math.abs(ms) >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
}

/** A time-axis tick label: "0", "250 ms", "1.5 s". */
export function tickLabel(ms: number): string {
  if (ms === 0) return '0';
  return ms >= 1000 ? `${Number((ms / 1000).toFixed(2))} s` : `${Number(ms.toFixed(2))} ms`;
}

/** About `count` round tick values from 0 to `max`. */
export function niceTicks(max: number, count: number): number[] {
  if (!(max > 0)) return [0];
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  const ticks: number[] = [];
  for (let i = 0; i * step <= max + step * 1e-9; i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

/** A y scale over `values`: logarithmic when they span more than a factor of 20, else linear from 0. */
export interface YScale {
  log: boolean;
  /** Maps a value to 0 (bottom) .. 1 (top). */
  at(value: number): number;
  ticks: number[];
}

/** Chooses and builds the y scale for positive `values`. */
export function yScale(values: readonly number[]): YScale {
  const positive = values.filter((v) => v > 0);
  const lo = positive.length ? Math.min(...positive) : 1;
  const hi = positive.length ? Math.max(...positive) : 1;
  if (hi / lo > 20) {
    const a = Math.floor(Math.log10(lo));
    const b = Math.max(a + 1, Math.ceil(Math.log10(hi)));
    const decades = Array.from({ length: b - a + 1 }, (_, i) => 10 ** (a + i));
    const ticks = b - a <= 2 ? decades.flatMap((d) => [d, 2 * d, 5 * d]).filter((v) => v <= 10 ** b) : decades;
    return { log: true, at: (v) => (Math.log10(Math.max(v, 10 ** a)) - a) / (b - a), ticks };
  }
  const ticks = niceTicks(hi, 4);
  const step = ticks.length > 1 ? (ticks[1] as number) - (ticks[0] as number) : hi;
  const max = Number((Math.ceil(hi / step - 1e-9) * step).toPrecision(12));
  if ((ticks.at(-1) ?? 0) < max) ticks.push(max);
  return { log: false, at: (v) => v / max, ticks };
}

/** Outcome colours (each outcome also has its own shape, so colour is never the only cue). */
export const OUTCOME_COLOR: Record<Outcome, string> = { ok: '#1f9d55', failed: '#d64541', queued: '#d98e04', cached: '#2f6fd6' };

/** Fill colour of a fault band by fault kind. */
export function faultColor(fault: string): string {
  if (fault.startsWith('partition')) return '#e5484d';
  if (fault === 'flaky') return '#f08c00';
  if (fault === 'latency') return '#c9a100';
  if (fault.startsWith('toxic')) return '#8e4ec6';
  return '#6b7280';
}

/** The marker of a request outcome at (x, y): circle, cross, square or triangle. */
export function outcomeShape(outcome: Outcome, x: number, y: number, r = 4.5): string {
  const c = OUTCOME_COLOR[outcome] ?? '#6b7280';
  if (outcome === 'failed') {
    const d = `M${n(x - r)} ${n(y - r)}L${n(x + r)} ${n(y + r)}M${n(x - r)} ${n(y + r)}L${n(x + r)} ${n(y - r)}`;
    return `<path d="${d}" stroke="${c}" stroke-width="2.4" stroke-linecap="round"/>`;
  }
  if (outcome === 'queued') return `<rect x="${n(x - r)}" y="${n(y - r)}" width="${n(2 * r)}" height="${n(2 * r)}" fill="${c}"/>`;
  if (outcome === 'cached') {
    return `<path d="M${n(x)} ${n(y - r - 1)}L${n(x + r + 1)} ${n(y + r)}L${n(x - r - 1)} ${n(y + r)}Z" fill="${c}"/>`;
  }
  return `<circle cx="${n(x)}" cy="${n(y)}" r="${n(r)}" fill="${c}"/>`;
}

/** The ring drawn around a request that needed more than one attempt. */
export function retryRing(x: number, y: number): string {
  return `<circle cx="${n(x)}" cy="${n(y)}" r="8" fill="none" stroke="#374151" stroke-width="1.2"/>`;
}

/** A replayed write: a diamond, filled when the replay was acknowledged, hollow when not. */
export function replayShape(ok: boolean, x: number, y: number, r = 4.5): string {
  const d = `M${n(x)} ${n(y - r)}L${n(x + r)} ${n(y)}L${n(x)} ${n(y + r)}L${n(x - r)} ${n(y)}Z`;
  return ok ? `<path d="${d}" fill="#7c3aed"/>` : `<path d="${d}" fill="#fff" stroke="${OUTCOME_COLOR.failed}" stroke-width="1.6"/>`;
}

/** A notification check: an envelope, green when received, amber when the stream had to be repaired, red when lost. */
export function notificationShape(ok: boolean, repaired: boolean, x: number, y: number): string {
  const c = !ok ? OUTCOME_COLOR.failed : repaired ? OUTCOME_COLOR.queued : OUTCOME_COLOR.ok;
  const box = `<rect x="${n(x - 6)}" y="${n(y - 4)}" width="12" height="8" rx="1" fill="#fff" stroke="${c}" stroke-width="1.5"/>`;
  const flap = `<path d="M${n(x - 6)} ${n(y - 4)}L${n(x)} ${n(y + 1)}L${n(x + 6)} ${n(y - 4)}" fill="none" stroke="${c}" stroke-width="1.3"/>`;
  const cross = ok ? '' : `<path d="M${n(x - 8)} ${n(y - 6)}L${n(x + 8)} ${n(y + 6)}" stroke="${c}" stroke-width="1.8"/>`;
  return box + flap + cross;
}

/** A rough width in px of `text` at `size` px (for deciding whether a label fits). */
export function textWidth(text: string, size = 11): number {
  return text.length * size * 0.58;
}

/** A text element at (x, y) with `cls`, its text escaped. */
export function label(x: number, y: number, cls: string, text: string, anchor: 'start' | 'middle' | 'end' = 'start'): string {
  const align = anchor === 'start' ? '' : ` text-anchor="${anchor}"`;
  return `<text class="${cls}" x="${n(x)}" y="${n(y)}"${align}>${esc(text)}</text>`;
}

/** A line from (x1, y1) to (x2, y2) with `cls`. */
export function line(x1: number, y1: number, x2: number, y2: number, cls: string): string {
  return `<line class="${cls}" x1="${n(x1)}" y1="${n(y1)}" x2="${n(x2)}" y2="${n(y2)}"/>`;
}
