/**
 * The HTML report's pictures of a multi-client scenario (instead of one mark per request, which
 * a thousand clients would bury): a heat strip per path, a row per client and a column per slice
 * of time, each cell coloured by the worst outcome of the client's requests that ended in it (and
 * paler, by the last one before it, between its requests), the fault windows shaded behind; the distribution of detection and recovery over the clients of
 * each window (histograms); and the reconnect wave after each heal as a small bar chart (new
 * connections per 10 ms). Static SVG; hover details are <title> elements.
 */
import type { FaultWindowResult, ReadableResult } from '../result-schema.js';
import type { Outcome, RequestEntry } from '../timeline.js';
import { esc, faultColor, fmtMs, n, niceTicks, OUTCOME_COLOR, tickLabel } from './svg.js';

const WIDTH = 1160;
const LEFT = 120;
const RIGHT = 28;
const COLUMNS = 240;
/** Worse outcomes win a cell. */
const RANK: Record<Outcome, number> = { ok: 0, cached: 1, queued: 2, failed: 3 };

/** Whether `result` has a multi-client path (its requests carry a client index). */
export function hasClients(result: ReadableResult): boolean {
  return (result.timeline ?? []).some((e) => e.type === 'request' && e.client !== undefined);
}

/** Every picture of the multi-client paths of `result`. */
export function clientsSvg(result: ReadableResult): string {
  const requests = (result.timeline ?? []).filter((e): e is RequestEntry => e.type === 'request' && e.client !== undefined);
  const paths = [...new Set(requests.map((r) => r.path))];
  const windows = result.windows ?? [];
  const span = Math.max(1, result.duration_ms, ...requests.map((r) => r.end));
  const strips = paths.map((path) =>
    heatStrip(
      path,
      requests.filter((r) => r.path === path),
      windows.filter((w) => w.path === path),
      span,
    ),
  );
  const per = windows.filter((w) => w.clients || w.reconnect).map(windowCharts);
  return `<div class="clients">${strips.join('\n')}${per.join('\n')}</div>`;
}

/** Clients × time, coloured by outcome. */
export function heatStrip(path: string, requests: readonly RequestEntry[], windows: readonly FaultWindowResult[], span: number): string {
  const clients = Math.max(...requests.map((r) => r.client as number), 0) + 1;
  const row = clients > 300 ? 1 : clients > 100 ? 2 : 4;
  const height = clients * row;
  const plot = WIDTH - LEFT - RIGHT;
  const cell = plot / COLUMNS;
  const x = (ms: number): number => LEFT + Math.min(1, Math.max(0, ms / span)) * plot;
  const grid: Array<Array<Outcome | undefined>> = Array.from({ length: clients }, () => Array.from({ length: COLUMNS }, () => undefined));
  for (const r of requests) {
    const col = Math.min(COLUMNS - 1, Math.floor((r.end / span) * COLUMNS));
    const cells = grid[r.client as number] as Array<Outcome | undefined>;
    const was = cells[col];
    if (was === undefined || RANK[r.outcome] > RANK[was]) cells[col] = r.outcome;
  }
  const out: string[] = [];
  for (const w of windows) {
    const end = w.healed_ms ?? span;
    out.push(`<rect x="${n(x(w.applied_ms))}" y="0" width="${n(Math.max(1, x(end) - x(w.applied_ms)))}" height="${height}" fill="${faultColor(w.fault)}" fill-opacity="0.12"><title>${esc(`${w.fault}: ${fmtMs(w.applied_ms)} → ${w.healed_ms === null ? 'not healed' : fmtMs(w.healed_ms)}`)}</title></rect>`);
  }
  // Between two requests a client stays in the state its last one left it in (drawn paler), up to
  // its last request. One rect per run of equal cells keeps the page small with a thousand clients.
  grid.forEach((cells, c) => {
    let last = COLUMNS - 1;
    while (last >= 0 && cells[last] === undefined) last--;
    let state: Outcome | undefined;
    const keys = cells.map((own, i) => {
      if (own !== undefined) state = own;
      return own !== undefined ? `${own}` : state !== undefined && i < last ? `~${state}` : '';
    });
    let from = 0;
    for (let i = 1; i <= COLUMNS; i++) {
      if (i < COLUMNS && keys[i] === keys[from]) continue;
      const key = keys[from] as string;
      if (key !== '') {
        const outcome = key.replace('~', '') as Outcome;
        const pale = key.startsWith('~') ? ' fill-opacity="0.35"' : '';
        out.push(`<rect x="${n(LEFT + from * cell)}" y="${c * row}" width="${n((i - from) * cell)}" height="${row}" fill="${OUTCOME_COLOR[outcome]}"${pale}/>`);
      }
      from = i;
    }
  });
  const ticks = niceTicks(span, 10).map((t) => `<text x="${n(x(t))}" y="${height + 14}" class="tick" text-anchor="middle">${tickLabel(t)}</text>`);
  const caption =
    `<title>${esc(`${path}: a row per client; a cell is the worst outcome of the requests that ended in it, paler between requests (the state the last one left)`)}</title>` +
    `<text x="${LEFT - 8}" y="12" class="lane-label" text-anchor="end">${esc(path)}</text><text x="${LEFT - 8}" y="28" class="tick" text-anchor="end">${clients} clients</text>` +
    `<text x="${LEFT - 8}" y="44" class="tick" text-anchor="end">pale: between</text><text x="${LEFT - 8}" y="58" class="tick" text-anchor="end">requests</text>`;
  return `<svg class="heat-strip" viewBox="0 0 ${WIDTH} ${height + 22}" width="100%" role="img" aria-label="${esc(`${path}: ${clients} clients over time, coloured by outcome`)}">${caption}${out.join('')}${ticks.join('')}</svg>`;
}

/** The histograms of one window and its reconnect wave. */
function windowCharts(w: FaultWindowResult): string {
  const title = `${w.path} · ${w.fault} at ${fmtMs(w.applied_ms)}${w.harness_lag_ms === undefined ? '' : ` · harness lagged ${fmtMs(w.harness_lag_ms)}`}`;
  const parts: string[] = [];
  if (w.clients) {
    const detections = w.clients.outcomes.flatMap((o) => (o.detection_ms === null ? [] : [o.detection_ms]));
    const recoveries = w.clients.outcomes.flatMap((o) => (o.recovery_ms === null ? [] : [o.recovery_ms]));
    parts.push(histogram('detection over clients', detections, '#e5484d'), histogram('recovery over clients', recoveries, '#1f9d55'));
  }
  if (w.reconnect) parts.push(waveChart(w.reconnect.buckets, w.reconnect.peak_per_bucket, w.reconnect.upstream_peak));
  const summary = w.clients
    ? `${w.clients.affected}/${w.clients.count} clients affected, ${w.clients.recovered} recovered, all by ${fmtMs(w.clients.all_recovered_ms)}`
    : '';
  return `<figure class="client-charts"><figcaption>${esc(title)}${summary ? ` — ${esc(summary)}` : ''}</figcaption>${parts.join('')}</figure>`;
}

/** A 20-bin histogram of `values` (ms). */
export function histogram(name: string, values: readonly number[], color: string): string {
  const W = 360;
  const H = 110;
  const bins = 20;
  const max = Math.max(1, ...values);
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.floor((v / max) * bins))]! += 1;
  const top = Math.max(1, ...counts);
  const bw = (W - 20) / bins;
  const bars = counts.map((c, i) => {
    const h = (c / top) * (H - 34);
    const from = (i / bins) * max;
    return `<rect x="${n(10 + i * bw)}" y="${n(H - 20 - h)}" width="${n(bw - 1)}" height="${n(h)}" fill="${color}"><title>${esc(`${c} clients: ${fmtMs(from)} – ${fmtMs(from + max / bins)}`)}</title></rect>`;
  });
  const axis = `<text x="10" y="${H - 6}" class="tick">0</text><text x="${W - 10}" y="${H - 6}" class="tick" text-anchor="end">${fmtMs(max)}</text>`;
  return `<svg class="histogram" viewBox="0 0 ${W} ${H}" width="${W}" role="img" aria-label="${esc(name)}"><text x="10" y="12" class="tick">${esc(`${name} (${values.length})`)}</text>${bars.join('')}${axis}</svg>`;
}

/** New connections per 10 ms bucket after a heal. */
export function waveChart(buckets: readonly number[], peak: number, upstreamPeak: number): string {
  const W = 360;
  const H = 110;
  const bw = buckets.length ? (W - 20) / buckets.length : 0;
  const top = Math.max(1, peak);
  const bars = buckets.map((c, i) => {
    const h = (c / top) * (H - 34);
    return c === 0 ? '' : `<rect x="${n(10 + i * bw)}" y="${n(H - 20 - h)}" width="${n(Math.max(0.5, bw - 0.2))}" height="${n(h)}" fill="#2563eb"><title>${esc(`${c} new connections at ${i * 10}–${i * 10 + 10} ms`)}</title></rect>`;
  });
  const axis = `<text x="10" y="${H - 6}" class="tick">heal</text><text x="${W - 10}" y="${H - 6}" class="tick" text-anchor="end">${fmtMs(buckets.length * 10)}</text>`;
  const name = `reconnects per 10 ms (peak ${peak}, upstream peak ${upstreamPeak} open)`;
  return `<svg class="reconnect-wave" viewBox="0 0 ${W} ${H}" width="${W}" role="img" aria-label="${esc(name)}"><text x="10" y="12" class="tick">${esc(name)}</text>${bars.join('')}${axis}</svg>`;
}
