/**
 * sse_truncate (faultline extension): lets `events` complete events of an HTTP/1.1
 * text/event-stream response through, then `partial_bytes` bytes of the next one (never its
 * end), and cuts the connection there: `close` (FIN after those bytes, the default) or `reset`
 * (RST; bytes still in flight may be lost, as with a real reset). The client sees a stream that
 * stopped in the middle of an event. `count` > 0 truncates only that many SSE responses in all
 * (across the proxy's connections), so a reconnecting client can recover; other responses pass
 * untouched. A stream that is not HTTP/1.x passes through untouched (one `toxic.bypassed` event).
 * The toxic acts on both directions whatever its `stream`.
 */
import { z } from 'zod';
import { CUT_MODES } from '../../protocol/wire.js';
import { integer } from './attributes.js';
import { defineToxic, type StageContext } from './toxic.js';
import { field, type Head } from '../http/head.js';
import { RequestStage } from '../http/request-stage.js';
import { ResponseStage } from '../http/response-stage.js';
import { SseScanner } from '../http/sse.js';

const attributes = z.object({
  events: integer('events').default(1),
  partial_bytes: integer('bytes').refine((n) => n >= 1, { error: 'must be >= 1 (bytes)' }).default(8),
  mode: z.enum(CUT_MODES, { error: 'must be "reset" or "close"' }).default('close'),
  count: integer('responses; 0 = no limit'),
});
type Attributes = z.infer<typeof attributes>;

/** How many SSE responses the toxic has cut, over all connections (kept across updates). */
interface Tally {
  truncated: number;
}

/** Whether `head` starts an SSE stream. */
function isEventStream(head: Head): boolean {
  return head.status === 200 && /^\s*text\/event-stream\b/i.test(field(head, 'content-type') ?? '');
}

class SseTruncateStage extends ResponseStage<Attributes> {
  #tally: Tally;
  /** The scanner of the SSE response under way that this toxic will cut, if any. */
  #scanner: SseScanner | undefined;

  constructor(ctx: StageContext, attrs: Attributes, tally: Tally) {
    super(ctx, attrs);
    this.#tally = tally;
  }

  protected override emitHead(head: Head, raw: Buffer): void {
    const { count } = this.attributes;
    this.#scanner = isEventStream(head) && (count === 0 || this.#tally.truncated < count) ? new SseScanner() : undefined;
    super.emitHead(head, raw);
  }

  protected override emitPiece(raw: Buffer, payload: boolean): void {
    const scanner = this.#scanner;
    if (scanner === undefined || !payload) {
      super.emitPiece(raw, payload);
      return;
    }
    const { events, partial_bytes, mode } = this.attributes;
    for (let i = 0; i < raw.length; i++) {
      const b = raw[i] as number;
      if (scanner.complete >= events && scanner.hasField && (scanner.blockBytes >= partial_bytes || scanner.completes(b))) {
        this.#cut(raw.subarray(0, i), mode, scanner);
        return;
      }
      scanner.step(b);
    }
    super.emitPiece(raw, payload);
  }

  #cut(sent: Buffer, mode: Attributes['mode'], scanner: SseScanner): void {
    if (sent.length > 0) super.emitPiece(sent, true);
    this.#tally.truncated++;
    this.#scanner = undefined;
    this.close();
    const detail = `sse_truncate after ${scanner.complete} events and ${scanner.blockBytes} bytes of the next (${mode})`;
    this.ctx.tripped(detail);
    if (mode === 'close') this.ctx.finish('sse_truncate');
    else this.ctx.cut('reset', 'sse_truncate');
  }
}

/** The `sse_truncate` toxic. */
export const sseTruncate = defineToxic({
  type: 'sse_truncate',
  summary: 'cuts an SSE response (close or reset) after events complete events and partial_bytes bytes into the next',
  attributes,
  twoWay: true,
  createState: (): Tally => ({ truncated: 0 }),
  create: (attrs, ctx, tally) => (ctx.direction === 'downstream' ? new SseTruncateStage(ctx, attrs, tally) : new RequestStage(ctx, attrs)),
});
