/**
 * A scenario's timeline as one static SVG: a lane per path with a band per fault window (applied →
 * healed), requests at their end time, replays and notification checks; one row each for
 * detection, loss window and recovery with a bracket per window (and a tick where the probe's
 * transport saw the fault); and the round-trip plot below on the same time axis.
 */
import type { FaultWindowResult, ReadableResult } from '../result-schema.js';
import type { Entry, NotificationEntry, ReplayEntry, RequestEntry } from '../timeline.js';
import { latencyPlot, type Band, type Frame } from './latency-svg.js';
import {
  esc,
  faultColor,
  fmtMs,
  label,
  line,
  n,
  niceTicks,
  notificationShape,
  outcomeShape,
  replayShape,
  retryRing,
  textWidth,
  tickLabel,
} from './svg.js';

const WIDTH = 1160;
const LEFT = 164;
const RIGHT = 28;
const LANE = 64;
const TOP = 6;
const ROW = 20;

interface FaultBand extends Band {
  healed: boolean;
}

/** One bracket on a marker row, for one window. */
interface Bracket {
  from: number;
  to: number;
  label: string;
  /** Where the probe's transport saw the fault (detection row only). */
  tick?: number;
}

/** A row of brackets: detection, loss window or recovery. */
interface MarkerRow {
  name: string;
  color: string;
  brackets: Bracket[];
}

/** The SVG timeline of `result` (static: hover details are SVG <title> elements, no script). */
export function timelineSvg(result: ReadableResult): string {
  const entries: Entry[] = Array.isArray(result.timeline) ? result.timeline : [];
  const windows = result.windows ?? [];
  const requests = entries.filter((e): e is RequestEntry => e.type === 'request');
  const replays = entries.filter((e): e is ReplayEntry => e.type === 'replay');
  const notes = entries.filter((e): e is NotificationEntry => e.type === 'notification');
  const paths = [...new Set(entries.map((e) => e.path))];
  if (paths.length === 0) paths.push('primary');

  const ends = entries.map((e) => ('end' in e ? e.end : 'at' in e ? e.at : e.applied));
  const span = Math.max(1, result.duration_ms, ...ends.filter(Number.isFinite));
  const plot = WIDTH - LEFT - RIGHT;
  const x = (ms: number): number => LEFT + Math.min(1, Math.max(0, ms / span)) * plot;
  const frame: Frame = { width: WIDTH, left: LEFT, right: RIGHT, x, ticks: niceTicks(span, 10) };
  const bands = windows.map((w) => ({ path: w.path, fault: w.fault, start: w.applied_ms, end: w.healed_ms ?? span, healed: w.healed_ms !== null }));
  const markers = markerRows(windows);

  const lanesBottom = TOP + paths.length * LANE;
  const axisY = lanesBottom + markers.length * ROW + 8;
  const out: string[] = [];
  for (const [i, path] of paths.entries()) out.push(lane(frame, path, TOP + i * LANE, requests, bands, i));
  for (const tick of frame.ticks) {
    out.push(line(x(tick), TOP, x(tick), axisY - 6, 'grid'), label(x(tick), axisY + 8, 'tick', tickLabel(tick), 'middle'));
  }
  for (const [i, band] of bands.entries()) out.push(bandSvg(frame, band, TOP + paths.indexOf(band.path) * LANE, overlap(bands, i)));
  for (const request of requests) out.push(requestSvg(frame, request, TOP + paths.indexOf(request.path) * LANE + 33));
  for (const replay of replays) out.push(replaySvg(frame, replay, TOP + paths.indexOf(replay.path) * LANE + 52));
  for (const note of notes) out.push(noteSvg(frame, note, TOP + paths.indexOf(note.path) * LANE + 13));
  for (const [i, row] of markers.entries()) out.push(markerRowSvg(frame, row, lanesBottom + i * ROW + 12, TOP));

  const latency = latencyPlot(frame, axisY + 20, requests, bands, paths);
  const height = axisY + 20 + latency.height;
  const name = `Timeline of ${result.test_name} (${result.probe ?? 'probe'})`;
  return (
    `<svg class="timeline" data-scenario="${esc(result.test_name)}" data-requests="${requests.length}" data-windows="${bands.length}" ` +
    `viewBox="0 0 ${WIDTH} ${n(height)}" width="100%" role="img" aria-label="${esc(name)}" xmlns="http://www.w3.org/2000/svg">` +
    `<title>${esc(name)}</title>${out.join('')}${latency.svg}</svg>`
  );
}

function overlap(bands: readonly Band[], i: number): number {
  const band = bands[i] as Band;
  return bands.slice(0, i).filter((b) => b.path === band.path && b.end > band.start).length;
}

function lane(frame: Frame, path: string, top: number, requests: readonly RequestEntry[], bands: readonly Band[], i: number): string {
  const mine = requests.filter((r) => r.path === path);
  const ok = mine.filter((r) => r.outcome === 'ok').length;
  const kinds = new Map<string, number>();
  for (const b of bands) if (b.path === path) kinds.set(b.fault, (kinds.get(b.fault) ?? 0) + 1);
  const faultText = [...kinds].map(([k, c]) => (c > 1 ? `${k} ×${c}` : k)).join(', ') || 'no fault';
  const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
  const width = frame.width - frame.left - frame.right;
  return (
    `<rect class="${i % 2 ? 'lane alt' : 'lane'}" x="${frame.left}" y="${top}" width="${width}" height="${LANE - 2}"/>` +
    `<text class="lane-name" x="10" y="${top + 20}">${esc(clip(path, 22))}<title>${esc(path)}</title></text>` +
    label(10, top + 36, 'small muted', `${ok}/${mine.length} requests ok`) +
    `<text class="small muted" x="10" y="${top + 51}">${esc(clip(faultText, 28))}<title>${esc(faultText)}</title></text>`
  );
}

function bandSvg(frame: Frame, band: FaultBand, top: number, level: number): string {
  const x0 = frame.x(band.start);
  const width = Math.max(2, frame.x(band.end) - x0);
  const color = faultColor(band.fault);
  const until = band.healed ? `healed at ${fmtMs(band.end)}` : 'not healed before the end';
  const title = `${band.fault} on ${band.path}: applied at ${fmtMs(band.start)}, ${until}; ${fmtMs(band.end - band.start)}`;
  const fits = textWidth(band.fault, 10.5) + 8 <= width;
  const caption = fits ? `<text class="band-label" x="${n(x0 + 4)}" y="${top + 12 + level * 11}" fill="${color}">${esc(band.fault)}</text>` : '';
  return (
    `<rect class="fault-band" data-fault="${esc(band.fault)}" x="${n(x0)}" y="${top + 1}" width="${n(width)}" height="${LANE - 4}" ` +
    `fill="${color}" fill-opacity="0.16" stroke="${color}" stroke-opacity="0.5"><title>${esc(title)}</title></rect>${caption}`
  );
}

function requestSvg(frame: Frame, r: RequestEntry, y: number): string {
  const x0 = frame.x(r.start);
  const x1 = frame.x(r.end);
  const retried = r.attempts.length > 1;
  const errors = [...new Set(r.attempts.flatMap((a) => (a.ok || !a.error ? [] : [a.error])))];
  const title =
    `${r.id} (${r.kind ?? 'write'} on ${r.path}): ${r.outcome}${retried ? ', retried' : ''}\n` +
    `${r.attempts.length} attempt${r.attempts.length === 1 ? '' : 's'}, ${fmtMs(r.start)} → ${fmtMs(r.end)} (${fmtMs(r.end - r.start)})` +
    `${r.faulted ? ', sent during a fault' : ''}${errors.length ? `\nerror: ${errors.join(', ')}` : ''}`;
  const parts: string[] = [];
  if (x1 - x0 >= 3) {
    parts.push(line(x0, y, x1, y, 'span'));
    for (const a of r.attempts) if (!a.ok && a.end < r.end) parts.push(line(frame.x(a.end), y - 4, frame.x(a.end), y + 4, 'attempt-fail'));
  }
  if (retried) parts.push(retryRing(x1, y));
  parts.push(outcomeShape(r.outcome, x1, y));
  return `<g class="req" data-outcome="${esc(r.outcome)}"${retried ? ' data-retried="true"' : ''}><title>${esc(title)}</title>${parts.join('')}</g>`;
}

function replaySvg(frame: Frame, r: ReplayEntry, y: number): string {
  const title = `replay of ${r.id} on ${r.path} at ${fmtMs(r.end)}: ${r.ok ? 'acknowledged' : `failed${r.error ? ` (${r.error})` : ''}`}`;
  return `<g class="replay" data-ok="${r.ok}"><title>${esc(title)}</title>${replayShape(r.ok, frame.x(r.end), y)}</g>`;
}

function noteSvg(frame: Frame, note: NotificationEntry, y: number): string {
  const state = !note.ok ? 'lost' : note.repaired ? 'repaired' : 'ok';
  const what = {
    ok: 'received',
    lost: 'LOST: the client never received it',
    repaired: 'received after the probe re-opened the stream the client library had given up on',
  }[state];
  const title = `notification check on ${note.path} at ${fmtMs(note.at)}: ${what}`;
  const shape = notificationShape(note.ok, note.repaired, frame.x(note.at), y);
  return `<g class="notification" data-state="${state}"><title>${esc(title)}</title>${shape}</g>`;
}

/** The detection, loss-window and recovery rows: a bracket per window that has the figure. */
function markerRows(windows: readonly FaultWindowResult[]): MarkerRow[] {
  const detection: Bracket[] = [];
  const loss: Bracket[] = [];
  const recovery: Bracket[] = [];
  for (const w of windows) {
    if (w.detection_ms !== null) {
      const detected = w.applied_ms + w.detection_ms;
      const bound = w.detection_bound === 'client_timeout' ? ' (client timeout)' : '';
      const transport = w.transport_detection_ms === null ? '' : `, transport ${fmtMs(w.transport_detection_ms)}`;
      detection.push({
        from: w.applied_ms,
        to: detected,
        label: `detection ${fmtMs(w.detection_ms)}${bound}${transport}`,
        ...(w.transport_detection_ms === null ? {} : { tick: w.applied_ms + w.transport_detection_ms }),
      });
      if (w.loss_window_ms !== null) loss.push({ from: detected, to: detected + w.loss_window_ms, label: `loss window ${fmtMs(w.loss_window_ms)}` });
    }
    if (w.healed_ms !== null && w.recovery_ms !== null) {
      const stable = w.recovery_stable_ms === null ? '' : `, stable after ${fmtMs(w.recovery_stable_ms)}`;
      recovery.push({ from: w.healed_ms, to: w.healed_ms + w.recovery_ms, label: `recovery ${fmtMs(w.recovery_ms)}${stable}` });
    }
  }
  const rows: MarkerRow[] = [
    { name: 'detection', color: '#d97706', brackets: detection },
    { name: 'loss window', color: '#dc2626', brackets: loss },
    { name: 'recovery', color: '#16a34a', brackets: recovery },
  ];
  return rows.filter((row) => row.brackets.length > 0);
}

/** A row of brackets; each label is shown where it fits before the next bracket, and always on hover. */
function markerRowSvg(frame: Frame, row: MarkerRow, y: number, top: number): string {
  const parts = row.brackets.map((b, i) => {
    const x0 = frame.x(b.from);
    const x1 = Math.max(frame.x(b.to), x0 + 1.5);
    const room = (row.brackets[i + 1] ? frame.x((row.brackets[i + 1] as Bracket).from) : frame.width - 4) - x1 - 7;
    const fits = textWidth(b.label, 11.5) <= room;
    const text = fits ? `<text class="marker-label" x="${n(x1 + 7)}" y="${y + 4}" fill="${row.color}">${esc(b.label)}</text>` : '';
    const tick = b.tick === undefined ? '' : `<path class="transport-tick" d="M${n(frame.x(b.tick))} ${y - 7}V${y + 7}" stroke="${row.color}" stroke-width="1.4" stroke-dasharray="2 2"/>`;
    return (
      `<g class="marker" data-marker="${esc(row.name)}"><title>${esc(`${b.label}: ${fmtMs(b.from)} → ${fmtMs(b.to)}`)}</title>` +
      `<line x1="${n(x1)}" x2="${n(x1)}" y1="${top}" y2="${y}" stroke="${row.color}" stroke-width="1" stroke-opacity="0.5" stroke-dasharray="4 3"/>` +
      `<path d="M${n(x0)} ${y - 5}V${y + 5}M${n(x0)} ${y}H${n(x1)}M${n(x1)} ${y - 5}V${y + 5}" stroke="${row.color}" stroke-width="2" fill="none"/>` +
      `${tick}${text}</g>`
    );
  });
  return `<text class="small muted" x="${frame.left - 8}" y="${y + 4}" text-anchor="end">${esc(row.name)}</text>${parts.join('')}`;
}
