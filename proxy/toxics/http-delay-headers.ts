/**
 * http_delay_headers (faultline extension): holds the head of each HTTP/1.1 response from the
 * upstream until `delay` ms after it arrived; its body follows right behind it (a slow server
 * that answers late, rather than a slow network). Responses leave in order; held bytes count
 * against the link's buffer bound. A stream that is not HTTP/1.x passes through untouched (one
 * `toxic.bypassed` event). The toxic acts on both directions whatever its `stream` (the requests
 * say which responses have a body).
 */
import { z } from 'zod';
import { millis } from './attributes.js';
import { defineToxic, type Chunk, type Held, type StageContext } from './toxic.js';
import { RequestStage } from '../http/request-stage.js';
import { ResponseStage } from '../http/response-stage.js';
import type { Head } from '../http/head.js';
import { Pump, type StepResult } from '../pump.js';

const attributes = z.object({ delay: millis() });
type Attributes = z.infer<typeof attributes>;

/** Timers may fire up to a millisecond early (Node rounds to whole ms); release within that. */
const EARLY_MS = 1;

/** Response bytes waiting for their release time. */
interface Waiting {
  data: Buffer;
  due: number;
}

class DelayHeadersStage extends ResponseStage<Attributes> {
  #waiting: Waiting[] = [];
  #bytes = 0;
  #lastDue = 0;
  #endPending = false;
  #pump: Pump;

  constructor(ctx: StageContext, attrs: Attributes) {
    super(ctx, attrs);
    this.#pump = new Pump(ctx, this.#step);
  }

  override get held(): number {
    return super.held + this.#bytes;
  }

  override detach(): Held {
    this.#pump.stop();
    const mine: Chunk[] = this.#waiting.map((w) => ({ data: w.data, receivedAt: this.at }));
    const rest = super.detach();
    return { chunks: [...mine, ...rest.chunks], ended: this.#endPending };
  }

  protected override emitHead(_head: Head, raw: Buffer): void {
    this.#lastDue = Math.max(this.#lastDue, this.at + this.attributes.delay);
    this.#hold(raw);
  }

  protected override emitPiece(raw: Buffer): void {
    if (this.#waiting.length === 0) this.ctx.push({ data: raw, receivedAt: this.at });
    else this.#hold(raw);
  }

  protected override emitEnd(): void {
    if (this.#waiting.length === 0) this.ctx.end();
    else this.#endPending = true;
  }

  #hold(data: Buffer): void {
    this.#waiting.push({ data, due: this.#lastDue });
    this.#bytes += data.length;
    this.#pump.kick();
  }

  #step = (): StepResult => {
    const head = this.#waiting[0];
    if (head === undefined) {
      if (this.#endPending) {
        this.#endPending = false;
        this.ctx.end();
      }
      return false;
    }
    const now = this.ctx.clock.now();
    if (head.due > now + EARLY_MS) return head.due - now;
    this.#waiting.shift();
    this.#bytes -= head.data.length;
    this.ctx.push({ data: head.data, receivedAt: this.at });
    return true;
  };
}

/** The `http_delay_headers` toxic. */
export const httpDelayHeaders = defineToxic({
  type: 'http_delay_headers',
  summary: 'holds each HTTP response head delay ms (the body follows it); requests pass untouched',
  attributes,
  twoWay: true,
  create: (attrs, ctx) => (ctx.direction === 'downstream' ? new DelayHeadersStage(ctx, attrs) : new RequestStage(ctx, attrs)),
});
