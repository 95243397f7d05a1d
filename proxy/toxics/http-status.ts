/**
 * http_status (faultline extension): answers HTTP/1.1 requests itself with `status` (503 by
 * default; 429 with `retry_after` for rate limiting) instead of passing them to the upstream, which
 * never sees them. `count` > 0 answers only that many requests in all (across the proxy's
 * connections: "fail the first N requests"), then lets every request through; `rate` answers each
 * request with that probability (seeded per connection). The body of an answered request is read
 * and dropped, so on a keep-alive connection the requests after it reach the upstream intact, and
 * the reply is sent where the upstream's response would have been (pipelined requests keep their
 * order). A stream that is not HTTP/1.x passes through untouched (one `toxic.bypassed` event).
 * The toxic acts on both directions whatever its `stream`.
 */
import { STATUS_CODES } from 'node:http';
import { z } from 'zod';
import { integer, probability } from './attributes.js';
import { defineToxic, type StageContext } from './toxic.js';
import { RequestStage } from '../http/request-stage.js';
import { ResponseStage } from '../http/response-stage.js';
import { fieldHas, type Head } from '../http/head.js';
import type { Pending } from '../http/exchange.js';

/** The largest `retry_after` accepted (a year, in seconds). */
const MAX_RETRY_AFTER = 31_536_000;
/** The longest `body` accepted. */
const MAX_BODY = 64 * 1024;

/** The attributes of `http_status`. */
const httpStatusAttributes = z.object({
  status: z
    .number({ error: 'must be a number (an HTTP status code)' })
    .int({ error: 'must be an integer (an HTTP status code)' })
    .min(200, { error: 'must be >= 200 (an HTTP status code)' })
    .max(599, { error: 'must be <= 599 (an HTTP status code)' })
    .default(503),
  count: integer('requests; 0 = no limit'),
  rate: probability(1),
  retry_after: z
    .number({ error: 'must be a number (seconds)' })
    .int({ error: 'must be an integer (seconds)' })
    .min(0, { error: 'must be >= 0 (seconds)' })
    .max(MAX_RETRY_AFTER, { error: `must be <= ${MAX_RETRY_AFTER} (seconds)` })
    .optional(),
  body: z.string({ error: 'must be a string' }).max(MAX_BODY, { error: `must be at most ${MAX_BODY} characters` }).default(''),
});
type Attributes = z.infer<typeof httpStatusAttributes>;

/** How many requests the toxic has answered, over all connections (kept across updates). */
interface Tally {
  answered: number;
}

/** The reply to `request` (see the file comment); `close` when the connection must close after it. */
function statusReply(attrs: Attributes, request: Head): Pending {
  const { status } = attrs;
  const reason = STATUS_CODES[status] ?? 'Unknown';
  const bodyless = request.method === 'HEAD' || status === 204 || status === 304;
  const body = Buffer.from(attrs.body === '' ? `${status} ${reason}\n` : attrs.body);
  // The client waits for 100 Continue before sending its body, or never sends it: the body's place in the stream is unknown.
  const close =
    fieldHas(request, 'connection', 'close') ||
    (request.version === '1.0' && !fieldHas(request, 'connection', 'keep-alive')) ||
    fieldHas(request, 'expect', '100-continue');
  const lines = [`HTTP/1.1 ${status} ${reason}`, 'content-type: text/plain; charset=utf-8'];
  if (status !== 204) lines.push(`content-length: ${body.length}`);
  if (attrs.retry_after !== undefined) lines.push(`retry-after: ${attrs.retry_after}`);
  lines.push('x-faultline-toxic: http_status', `connection: ${close ? 'close' : 'keep-alive'}`, '', '');
  const head = Buffer.from(lines.join('\r\n'), 'latin1');
  return { method: request.method, reply: bodyless ? head : Buffer.concat([head, body]), close };
}

/** Whether the toxic answers `request` now (and counts it). */
function answers(attrs: Attributes, tally: Tally, ctx: StageContext): boolean {
  if (attrs.count > 0 && tally.answered >= attrs.count) return false;
  if (attrs.rate < 1 && !(ctx.random() < attrs.rate)) return false;
  tally.answered++;
  return true;
}

/** The `http_status` toxic. */
export const httpStatus = defineToxic({
  type: 'http_status',
  summary: 'answers HTTP requests with status (e.g. 503, or 429 + Retry-After) without reaching the upstream: the first count, or a rate',
  attributes: httpStatusAttributes,
  twoWay: true,
  createState: (): Tally => ({ answered: 0 }),
  create: (attrs, ctx, tally) => {
    if (ctx.direction === 'downstream') return new ResponseStage(ctx, attrs);
    return new RequestStage(ctx, attrs, (head, current: Attributes) => {
      if (!answers(current, tally, ctx)) return undefined;
      ctx.tripped(`http_status ${current.status} for ${head.method} ${head.target.slice(0, 200)}`);
      return statusReply(current, head);
    });
  },
});
