/**
 * A scenario's timeline as one static SVG: a lane per path with its fault bands (applied → the
 * next heal applied), requests at their end time, replays and notification checks; brackets for
 * detection, loss window and recovery; and the round-trip plot below on the same time axis.
 */
import type { ScenarioResult } from '../result.js';
import type { Entry, FaultEntry, NotificationEntry, ReplayEntry, RequestEntry } from '../timeline.js';
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
  source: string;
}

interface Marker {
  name: string;
  from: number;
  to: number;
  color: string;
  label: string;
}

/** The SVG timeline of `result` (static: hover details are SVG <title> elements, no script). */
export function timelineSvg(result: ScenarioResult): string {
  const entries: Entry[] = Array.isArray(result.timeline) ? result.timeline : [];
  const requests = entries.filter((e): e is RequestEntry => e.type === 'request');
  const faults = entries.filter((e): e is FaultEntry => e.type === 'fault' || e.type === 'heal');
  const replays = entries.filter((e): e is ReplayEntry => e.type === 'replay');
  const notes = entries.filter((e): e is NotificationEntry => e.type === 'notification');
  const paths = [...new Set(entries.map((e) => e.path))];
  if (paths.length === 0) paths.push('primary');

  const ends = entries.map((e) => ('end' in e ? e.end : 'at' in e ? e.at : e.applied));
  const span = Math.max(1, result.duration_ms, ...ends.filter(Number.isFinite));
  const plot = WIDTH - LEFT - RIGHT;
  const x = (ms: number): number => LEFT + Math.min(1, Math.max(0, ms / span)) * plot;
  const frame: Frame = { width: WIDTH, left: LEFT, right: RIGHT, x, ticks: niceTicks(span, 10) };
  const bands = faultBands(faults, span);
  const markers = markersOf(result, faults);

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
  for (const [i, marker] of markers.entries()) out.push(markerSvg(frame, marker, lanesBottom + i * ROW + 12, TOP));

  const latency = latencyPlot(frame, axisY + 20, requests, bands, paths);
  const height = axisY + 20 + latency.height;
  const name = `Timeline of ${result.test_name} (${result.probe ?? 'probe'})`;
  return (
    `<svg class="timeline" data-scenario="${esc(result.test_name)}" data-requests="${requests.length}" data-faults="${bands.length}" ` +
    `viewBox="0 0 ${WIDTH} ${n(height)}" width="100%" role="img" aria-label="${esc(name)}" xmlns="http://www.w3.org/2000/svg">` +
    `<title>${esc(name)}</title>${out.join('')}${latency.svg}</svg>`
  );
}

/** One band per fault: from its `applied` to the `applied` of the next heal on its path (or the end). */
function faultBands(faults: readonly FaultEntry[], span: number): FaultBand[] {
  return faults.flatMap((f, i) => {
    if (f.type !== 'fault') return [];
    const heal = faults.slice(i + 1).find((h) => h.type === 'heal' && h.path === f.path);
    const end = heal ? heal.applied : span;
    return [{ path: f.path, fault: f.fault, start: f.applied, end, healed: heal !== undefined, source: f.source }];
  });
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
  const title = `${band.fault} on ${band.path}: applied at ${fmtMs(band.start)} (${band.source}), ${until}; ${fmtMs(band.end - band.start)}`;
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

/** Detection, loss window and recovery, placed from the first fault and last heal of the path the metrics describe. */
function markersOf(result: ScenarioResult, faults: readonly FaultEntry[]): Marker[] {
  const m = result.metrics;
  const path = faults.find((f) => f.type === 'fault')?.path;
  const first = faults.find((f) => f.type === 'fault' && f.path === path);
  const heal = faults.filter((f) => f.type === 'heal' && f.path === path).at(-1);
  const out: Marker[] = [];
  if (first && typeof m.detection_time_ms === 'number') {
    const bound = m.detection_bound_by === 'client_timeout' ? ' (client timeout)' : '';
    const detected = first.applied + m.detection_time_ms;
    out.push({ name: 'detection', from: first.applied, to: detected, color: '#d97706', label: `detection ${fmtMs(m.detection_time_ms)}${bound}` });
    if (typeof m.loss_window_ms === 'number') {
      const text = `loss window ${fmtMs(m.loss_window_ms)}`;
      out.push({ name: 'loss window', from: detected, to: detected + m.loss_window_ms, color: '#dc2626', label: text });
    }
  }
  if (heal && typeof m.recovery_time_ms === 'number') {
    const stable = typeof m.recovery_time_stable_ms === 'number' ? `, stable after ${fmtMs(m.recovery_time_stable_ms)}` : '';
    const text = `recovery ${fmtMs(m.recovery_time_ms)}${stable}`;
    out.push({ name: 'recovery', from: heal.applied, to: heal.applied + m.recovery_time_ms, color: '#16a34a', label: text });
  }
  return out;
}

function markerSvg(frame: Frame, m: Marker, y: number, top: number): string {
  const x0 = frame.x(m.from);
  const x1 = Math.max(frame.x(m.to), x0 + 1.5);
  const w = textWidth(m.label, 11.5) + 7;
  const [x, anchor] = x1 + w <= frame.width - 4 ? [x1 + 7, 'start'] : x0 - w >= frame.left ? [x0 - 7, 'end'] : [(x0 + x1) / 2, 'middle'];
  const plate = anchor === 'middle' ? `<rect x="${n(x - w / 2)}" y="${y - 8}" width="${n(w)}" height="16" fill="#fff"/>` : '';
  const text = `${plate}<text class="marker-label" x="${n(x)}" y="${y + 4}" text-anchor="${anchor}" fill="${m.color}">${esc(m.label)}</text>`;
  const title = `${m.name}: ${fmtMs(m.from)} → ${fmtMs(m.to)}`;
  return (
    `<g class="marker" data-marker="${esc(m.name)}"><title>${esc(title)}</title>` +
    `<line x1="${n(x1)}" x2="${n(x1)}" y1="${top}" y2="${y}" stroke="${m.color}" stroke-width="1.2" stroke-dasharray="4 3"/>` +
    `<path d="M${n(x0)} ${y - 5}V${y + 5}M${n(x0)} ${y}H${n(x1)}M${n(x1)} ${y - 5}V${y + 5}" stroke="${m.color}" stroke-width="2" fill="none"/>` +
    `<text class="small muted" x="${frame.left - 8}" y="${y + 4}" text-anchor="end">${esc(m.name)}</text>${text}</g>`
  );
}
