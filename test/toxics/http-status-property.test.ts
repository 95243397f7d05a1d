/** http_status under random pipelines and random read boundaries: the upstream gets exactly the requests let through, the client every answer in request order. */
import t from 'tap';
import fc from 'fast-check';
import { httpStatus } from '../../proxy/toxics/http-status.js';
import { httpRig } from '../helpers/http-rig.js';
import { responseFraming } from '../../proxy/http/body.js';
import { MessageReader } from '../../proxy/http/message-reader.js';

const request = fc.oneof(
  fc.constantFrom('GET', 'HEAD', 'DELETE').map((m) => `${m} /r HTTP/1.1\r\nHost: x\r\n\r\n`),
  fc.string({ maxLength: 40 }).map((b) => `POST /r HTTP/1.1\r\nContent-Length: ${Buffer.byteLength(b, 'latin1')}\r\n\r\n${b}`),
  fc.array(fc.string({ minLength: 1, maxLength: 12 }), { maxLength: 4 }).map(
    (parts) => `PUT /r HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n${parts.map((p) => `${p.length.toString(16)};x=y\r\n${p}\r\n`).join('')}0\r\nT: 1\r\n\r\n`,
  ),
);
const response = fc.oneof(
  fc.string({ maxLength: 30 }).map((b) => `HTTP/1.1 200 OK\r\nContent-Length: ${b.length}\r\n\r\n${b}`),
  fc.array(fc.string({ minLength: 1, maxLength: 10 }), { maxLength: 3 }).map(
    (parts) => `HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n${parts.map((p) => `${p.length.toString(16)}\r\n${p}\r\n`).join('')}0\r\n\r\n`,
  ),
  fc.constant('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n'),
);

/** The final statuses of the responses in `text`, read as a client that sent `methods` would. */
function statuses(text: string, methods: string[]): number[] {
  const got: number[] = [];
  let status = 0;
  const reader = new MessageReader('response', (head) => responseFraming(head, methods[got.length]), {
    head: (head) => void (status = head.status),
    piece: () => undefined,
    done: () => void (status >= 200 && got.push(status)),
    opaque: () => undefined,
    invalid: (reason) => {
      throw new Error(reason);
    },
  });
  reader.feed(Buffer.from(text, 'latin1'));
  return got;
}

/** `text` cut at `cuts` (positions taken modulo its length). */
function pieces(text: string, cuts: number[]): string[] {
  const at = [...new Set(cuts.map((c) => (text.length ? c % text.length : 0)))].filter((c) => c > 0).sort((a, b) => a - b);
  return [0, ...at].map((start, i) => text.slice(start, at[i] ?? text.length));
}

t.test('random pipelines, answers and read boundaries', async (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(request, fc.boolean(), response), { minLength: 1, maxLength: 8 }),
      fc.array(fc.nat(), { maxLength: 6 }),
      fc.array(fc.nat(), { maxLength: 6 }),
      (exchanges, requestCuts, responseCuts) => {
        const draws = exchanges.map(([, answered]) => (answered ? 0 : 0.99));
        const rig = httpRig(httpStatus, { rate: 0.5 }, { random: () => draws.shift() ?? 0.99 });
        for (const piece of pieces(exchanges.map(([r]) => r).join(''), requestCuts)) rig.send(piece);
        const forwarded = exchanges.filter(([, answered]) => !answered);
        if (rig.upstream !== forwarded.map(([r]) => r).join('')) return false;
        // The upstream answers HEAD with a head only (its Content-Length is what a GET would get).
        const headAnswer = 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n';
        const answerTo = ([r, , res]: (typeof exchanges)[number]) => (r.startsWith('HEAD') ? headAnswer : res);
        const upstreamAnswers = forwarded.map(answerTo);
        for (const piece of pieces(upstreamAnswers.join(''), responseCuts)) rig.reply(piece);
        const want = exchanges.map((e) => (e[1] ? 503 : Number(/HTTP\/1\.1 (2\d\d)/.exec(answerTo(e))?.[1])));
        const got = statuses(rig.clientText, exchanges.map(([r]) => r.slice(0, r.indexOf(' '))));
        if (got.join(' ') !== want.join(' ')) throw new Error(`order: got ${got.join(' ')}, want ${want.join(' ')}`);
        return rig.bypassed.length === 0 && rig.request.held === 0 && rig.response.held === 0;
      },
    ),
    { seed: 1414, numRuns: 400 },
  );
  t.pass('400 random pipelines');
});
