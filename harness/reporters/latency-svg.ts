/** The round-trip plot under a scenario's timeline: duration of every successful attempt over time. */
import type { RequestEntry } from '../timeline.js';
import { esc, faultColor, fmtMs, label, line, n, tickLabel, yScale } from './svg.js';

/** A shaded interval on the time axis (a fault, from applied to heal). */
export interface Band {
  path: string;
  fault: string;
  start: number;
  end: number;
}

/** The shared horizontal geometry of a scenario's charts. */
export interface Frame {
  width: number;
  left: number;
  right: number;
  /** ms since the scenario start → x. */
  x(ms: number): number;
  ticks: number[];
}

const PATH_COLORS = ['#2563eb', '#ea580c', '#0d9488', '#9333ea', '#be185d'];
const PLOT_HEIGHT = 120;

function pathLegend(frame: Frame, top: number, paths: readonly string[]): string {
  const out: string[] = [];
  let x = frame.width - frame.right;
  for (const [i, path] of [...paths.entries()].reverse()) {
    x -= path.length * 6.4 + 26;
    out.push(`<circle cx="${n(x + 6)}" cy="${top + 9}" r="4" fill="${PATH_COLORS[i % PATH_COLORS.length]}"/>${label(x + 14, top + 13, 'small', path)}`);
  }
  return out.join('');
}

/** The plot of `requests` starting at `top`, over `paths`; returns its SVG and height. */
export function latencyPlot(
  frame: Frame,
  top: number,
  requests: readonly RequestEntry[],
  bands: readonly Band[],
  paths: readonly string[],
): { svg: string; height: number } {
  const samples = requests.flatMap((r) =>
    r.attempts.flatMap((a, i) => (a.ok ? [{ request: r, attempt: i + 1, at: a.end, ms: Math.max(0, a.end - a.start) }] : [])),
  );
  const scale = yScale(samples.map((s) => s.ms));
  const plotTop = top + 24;
  const bottom = plotTop + PLOT_HEIGHT;
  const right = frame.width - frame.right;
  const y = (ms: number): number => bottom - Math.min(1, Math.max(0, scale.at(ms))) * PLOT_HEIGHT;
  const out = [label(frame.left, top + 13, 'plot-title', `Round trip of successful attempts (ms, ${scale.log ? 'log' : 'linear'} scale)`)];
  if (paths.length > 1) out.push(pathLegend(frame, top, paths));
  out.push(`<rect class="plot-bg" x="${frame.left}" y="${plotTop}" width="${right - frame.left}" height="${PLOT_HEIGHT}"/>`);
  for (const band of bands) {
    const x0 = frame.x(band.start);
    const width = Math.max(1, frame.x(band.end) - x0);
    out.push(`<rect x="${n(x0)}" y="${plotTop}" width="${n(width)}" height="${PLOT_HEIGHT}" fill="${faultColor(band.fault)}" fill-opacity="0.09"/>`);
  }
  for (const tick of scale.ticks) {
    out.push(line(frame.left, y(tick), right, y(tick), 'grid'));
    out.push(label(frame.left - 6, y(tick) + 3.5, 'tick', tick >= 1000 ? `${tick / 1000}k` : String(tick), 'end'));
  }
  for (const tick of frame.ticks) {
    out.push(line(frame.x(tick), plotTop, frame.x(tick), bottom, 'grid'));
    out.push(label(frame.x(tick), bottom + 14, 'tick', tickLabel(tick), 'middle'));
  }
  out.push(label(right, bottom + 30, 'small muted', 'ms since the scenario started', 'end'));
  if (samples.length === 0) out.push(label((frame.left + right) / 2, plotTop + PLOT_HEIGHT / 2, 'small muted', 'no successful attempts', 'middle'));
  for (const s of samples) {
    const color = PATH_COLORS[Math.max(0, paths.indexOf(s.request.path)) % PATH_COLORS.length];
    const title = `${s.request.id} (${s.request.path}), attempt ${s.attempt}: ${fmtMs(s.ms)} round trip, ended at ${fmtMs(s.at)}`;
    out.push(`<circle class="rtt" cx="${n(frame.x(s.at))}" cy="${n(y(s.ms))}" r="2.8" fill="${color}"><title>${esc(title)}</title></circle>`);
  }
  return { svg: out.join(''), height: bottom + 36 - top };
}
