/**
 * Known SDK behaviours a run can show, each recognised from what was measured (never from the SDK
 * version alone) and named with the SDK that showed it:
 * - resume-without-last-event-id (typescript-sdk PR #2509): a call's stream was resumed, the
 *   resumed stream broke before a new event, the client reconnected without Last-Event-ID (a new
 *   standalone stream, or a 409), and the call never got its result;
 * - example-event-store-replay (typescript-sdk issue #943): the server runs the SDK's example
 *   InMemoryEventStore; the standalone stream was resumed and answered, yet a notification pushed
 *   after that never arrived (the store put the resumed stream under an empty stream id);
 * - reconnection-gave-up (SDK 1.x `maxRetries` 2): the SDK stopped re-opening the standalone
 *   stream and the probe had to re-open it;
 * - broken-stream-not-reissued (2026-07-28, SDK 2.x): a call's response stream broke while the
 *   SDK's request was still pending; the SDK does not re-issue it (measured: it waits for its
 *   timeout), the probe did.
 */
import type { CallLedgerSnapshot, Defect } from './mcp-schema.js';
import type { McpFacts } from './probes/call.js';
import type { Timeline } from './timeline.js';

const ms = (at: number): string => `${at.toFixed(0)} ms`;

/** The known defects `timeline` shows. */
export function knownDefects(timeline: Timeline, facts: McpFacts | undefined, calls: CallLedgerSnapshot | undefined): Defect[] {
  if (!facts) return [];
  const found: Defect[] = [];
  const wire = timeline.mcp();
  for (const call of timeline.calls().filter((c) => !c.ok)) {
    const mine = wire.filter((e) => e.call === call.id);
    const resumed = mine.filter((e) => e.kind === 'resume' && e.status === 200);
    const lastEnd = mine.filter((e) => e.kind === 'stream_end').at(-1);
    if (resumed.length === 0 || !lastEnd || lastEnd.at < (resumed.at(-1)?.at ?? Infinity)) continue;
    if (mine.some((e) => e.kind === 'resume' && e.at > lastEnd.at)) continue;
    const reconnects = wire.filter((e) => e.kind === 'reconnect' && e.at > lastEnd.at && e.at < call.end);
    if (reconnects.length === 0) continue;
    found.push({
      id: 'resume-without-last-event-id',
      sdk: facts.sdk,
      reference: 'modelcontextprotocol/typescript-sdk PR #2509',
      summary: 'after a resumed stream broke again before a new event, the client reconnected without Last-Event-ID and the call hung',
      evidence:
        `call ${call.id}: resumed at ${ms(resumed.at(-1)?.at ?? 0)}, the resumed stream broke at ${ms(lastEnd.at)}; after that only GETs without Last-Event-ID ` +
        `(${reconnects.map((r) => `${ms(r.at)} HTTP ${r.status}`).join(', ')}), and no result before the call ended at ${ms(call.end)} (${call.error ?? 'failed'})`,
    });
  }
  const store = calls?.server.event_store;
  const standalone = wire.filter((e) => e.kind === 'resume' && e.stream === 'standalone' && e.status === 200);
  const lostAfter = standalone.find((r) => timeline.notifications().some((n) => !n.ok && n.at > r.at));
  if (store === 'sdk-example' && lostAfter) {
    found.push({
      id: 'example-event-store-replay',
      sdk: calls?.server.sdk[0] ?? 'unknown',
      reference: 'modelcontextprotocol/typescript-sdk issue #943',
      summary: "the SDK's example InMemoryEventStore resumes the standalone stream under an empty stream id: it replays nothing and later notifications never arrive",
      evidence: `the standalone stream was resumed at ${ms(lostAfter.at)} (Last-Event-ID ${lostAfter.last_event_id ?? '?'}, HTTP 200), then a notification check failed`,
    });
  }
  if (facts.reopened > 0 && facts.protocol === '2025-11-25') {
    found.push({
      id: 'reconnection-gave-up',
      sdk: facts.sdk,
      reference: 'StreamableHTTPReconnectionOptions.maxRetries (default 2)',
      summary: 'the SDK stopped re-opening the standalone notification stream after its reconnection attempts, and never tried again after the network healed',
      evidence: `the probe re-opened the lost stream ${facts.reopened}×`,
    });
  }
  const reissued = wire.filter((e) => e.kind === 'reissue');
  if (reissued.length > 0 && facts.protocol === '2026-07-28') {
    found.push({
      id: 'broken-stream-not-reissued',
      sdk: facts.sdk,
      reference: 'MCP 2026-07-28 (a broken response stream loses the request; the client MUST re-issue it with a new id)',
      summary: 'the SDK leaves a request whose response stream broke pending until its timeout; it does not re-issue it',
      evidence: `the probe re-issued ${reissued.length} request(s): ${reissued.map((e) => `${e.call}→${e.request_id}`).join(', ')}`,
    });
  }
  return found;
}
