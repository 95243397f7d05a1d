/**
 * The stream timeline of each long call (a `call` step) as one static SVG: a row per JSON-RPC
 * request of the call, on the call's own time axis, with what the server did (each progress step
 * it sent, its response stream closing early, a cancellation asked for, its handler aborted, its
 * completion; from the call ledger) over what reached the client (each progress message, marked
 * when it came on a resumed stream, and the result), resumptions and re-issues, over the faults.
 */
import type { ReadableResult } from '../result-schema.js';
import type { CallEntry, Entry, FaultEntry, McpEntry } from '../timeline.js';
import { esc, faultColor, fmtMs, label, line, n, niceTicks, tickLabel } from './svg.js';

type McpCall = NonNullable<ReadableResult['mcp_calls']>[number];
type Request = McpCall['requests'][number];

const WIDTH = 1160;
const LEFT = 164;
const RIGHT = 28;
const TOP = 26;
const ROW = 40;

/** The stream timelines of `result`'s calls ('' when it has none). */
export function callTimelines(result: ReadableResult): string {
  const entries: Entry[] = Array.isArray(result.timeline) ? result.timeline : [];
  return (result.mcp_calls ?? [])
    .map((call) => {
      const entry = entries.find((e): e is CallEntry => e.type === 'call' && e.id === call.id);
      return entry ? callSvg(result, call, entry, entries) : '';
    })
    .join('');
}

function callSvg(result: ReadableResult, call: McpCall, entry: CallEntry, entries: readonly Entry[]): string {
  const origin = result.wall_origin_ms ?? null;
  const server = (wall: number | null | undefined): number | undefined => (origin === null || wall == null ? undefined : wall - origin);
  const wire = entries.filter((e): e is McpEntry => e.type === 'mcp' && e.call === call.id);
  const times = [entry.start, entry.end, ...wire.map((e) => e.at), ...call.requests.flatMap((q) => serverTimes(q).map(server))].filter((t): t is number => t !== undefined);
  const from = Math.min(...times);
  const to = Math.max(...times);
  const pad = Math.max(20, (to - from) * 0.03);
  const t0 = from - pad;
  const span = to + pad - t0;
  const x = (ms: number): number => LEFT + Math.min(1, Math.max(0, (ms - t0) / span)) * (WIDTH - LEFT - RIGHT);
  const height = TOP + call.requests.length * ROW + 24;
  const out: string[] = [];
  const faults = entries.filter((e): e is FaultEntry => e.type === 'fault' && e.path === call.path);
  const heals = entries.filter((e): e is FaultEntry => e.type === 'heal' && e.path === call.path);
  for (const f of faults) {
    const end = heals.find((h) => h.applied >= f.applied)?.applied ?? to + pad;
    if (end < t0 || f.applied > to + pad) continue;
    const color = faultColor(f.fault);
    out.push(
      `<rect class="call-fault" x="${n(x(f.applied))}" y="${TOP - 4}" width="${n(Math.max(2, x(end) - x(f.applied)))}" height="${call.requests.length * ROW}" ` +
        `fill="${color}" fill-opacity="0.14"><title>${esc(`${f.fault}: ${fmtMs(f.applied)} → ${fmtMs(end)}`)}</title></rect>`,
    );
  }
  const ticks = niceTicks(span, 8);
  const step = ticks.length > 1 ? (ticks[1] as number) : span;
  for (let tick = Math.ceil(t0 / step) * step; tick <= t0 + span; tick += step) {
    out.push(line(x(tick), TOP - 6, x(tick), height - 18, 'grid'), label(x(tick), height - 6, 'tick', tickLabel(tick), 'middle'));
  }
  out.push(label(10, 14, 'small muted', 'server ▏step  ✕ stream closed  ◆ aborted  ■ completed · client ● progress  ○ replayed  ✓ result'));
  for (const [i, q] of call.requests.entries()) out.push(rowSvg(q, TOP + i * ROW, x, server, wire));
  for (const e of wire.filter((w) => w.kind === 'resume')) {
    const title = `resumed with Last-Event-ID ${e.last_event_id ?? '?'} at ${fmtMs(e.at)}: HTTP ${e.status ?? '?'}`;
    out.push(`<g class="resume"><title>${esc(title)}</title>${line(x(e.at), TOP - 6, x(e.at), TOP + call.requests.length * ROW - 6, 'resume-line')}</g>`);
  }
  const name = `Stream timeline of call ${call.id} (${entry.protocol ?? 'protocol unknown'})`;
  return (
    `<svg class="call-stream" data-call="${esc(call.id)}" viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-label="${esc(name)}" ` +
    `xmlns="http://www.w3.org/2000/svg"><title>${esc(name)}</title>${out.join('')}</svg>`
  );
}

function serverTimes(q: Request): Array<number | null | undefined> {
  const s = q.server;
  return s ? [s.started_at, s.stream_closed_at, s.cancel_requested_at, s.aborted_at, s.completed_at, ...s.steps.map((p) => p.at)] : [];
}

function rowSvg(q: Request, top: number, x: (ms: number) => number, server: (wall: number | null | undefined) => number | undefined, wire: readonly McpEntry[]): string {
  const y = top + ROW / 2 - 4;
  const state = q.result ? 'answered' : q.abandoned ? 'abandoned, re-issued' : 'no result';
  const out = [label(10, y - 2, 'lane-name', `request ${q.request_id}`), label(10, y + 12, 'small muted', state), line(LEFT, y, WIDTH - RIGHT, y, 'grid')];
  const s = q.server;
  for (const step of s?.steps ?? []) {
    const at = server(step.at);
    if (at !== undefined) out.push(`<path class="srv-step" d="M${n(x(at))} ${y - 13}V${y - 3}" stroke="#4b5563" stroke-width="1.6"><title>${esc(`server sent step ${step.step} at ${fmtMs(at)}`)}</title></path>`);
  }
  const mark = (cls: string, wall: number | null | undefined, shape: (px: number) => string, what: string): void => {
    const at = server(wall);
    if (at !== undefined) out.push(`<g class="${cls}"><title>${esc(`${what} at ${fmtMs(at)}`)}</title>${shape(x(at))}</g>`);
  };
  mark('srv-closed', s?.stream_closed_at, (px) => `<path d="M${n(px - 5)} ${y - 13}l10 10m0 -10l-10 10" stroke="#d64541" stroke-width="2"/>`, 'server: the response stream closed before the response');
  mark('srv-cancel', s?.cancel_requested_at, (px) => `<path d="M${n(px)} ${y - 15}v12" stroke="#d98e04" stroke-width="2" stroke-dasharray="2 2"/>`, 'server: notifications/cancelled arrived');
  mark('srv-aborted', s?.aborted_at, (px) => `<path d="M${n(px)} ${y - 14}l5 5l-5 5l-5 -5z" fill="#d98e04"/>`, "server: the handler's abort signal fired");
  mark('srv-completed', s?.completed_at, (px) => `<rect x="${n(px - 4)}" y="${y - 12}" width="8" height="8" fill="#1f9d55"/>`, 'server: completed (write applied)');
  for (const e of wire.filter((w) => w.kind === 'event' && w.request_id === q.request_id)) {
    const px = x(e.at);
    const title = `${e.message === 'result' ? 'result' : `progress ${e.step}`} reached the client at ${fmtMs(e.at)}${e.replayed ? ' on a resumed stream' : ''}`;
    const shape =
      e.message === 'result'
        ? `<path d="M${n(px - 5)} ${y + 7}l4 4l7 -8" stroke="#1f9d55" stroke-width="2.2" fill="none"/>`
        : `<circle cx="${n(px)}" cy="${y + 8}" r="4" fill="${e.replayed ? '#fff' : '#2563eb'}" stroke="#2563eb" stroke-width="1.6"/>`;
    out.push(`<g class="${e.message === 'result' ? 'cli-result' : 'cli-step'}"${e.replayed ? ' data-replayed="true"' : ''}><title>${esc(title)}</title>${shape}</g>`);
  }
  const reissue = wire.find((w) => w.kind === 'reissue' && w.request_id === q.request_id);
  if (reissue) out.push(`<g class="reissue"><title>${esc(`re-issued as request ${q.request_id} at ${fmtMs(reissue.at)}`)}</title><path d="M${n(x(reissue.at))} ${y - 16}v22" stroke="#7c3aed" stroke-width="1.6" stroke-dasharray="3 2"/></g>`);
  return out.join('');
}
