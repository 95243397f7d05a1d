/** sse_truncate and http_delay_headers under random SSE streams and read boundaries: cut exactly where promised; delayed bytes intact. */
import t from 'tap';
import fc from 'fast-check';
import { httpDelayHeaders } from '../../proxy/toxics/http-delay-headers.js';
import { sseTruncate } from '../../proxy/toxics/sse-truncate.js';
import { httpRig } from '../helpers/http-rig.js';

const eol = fc.constantFrom('\n', '\r\n', '\r');
/** One SSE event (field lines, maybe a comment, then a blank line) with the line end `e`. */
const event = fc
  .tuple(fc.array(fc.stringMatching(/^[a-z ]{0,12}$/), { minLength: 1, maxLength: 3 }), fc.boolean(), eol)
  .map(([values, comment, e]) => `${comment ? `: keep${e}` : ''}${values.map((v) => `data: ${v}${e}`).join('')}${e}`);

/** `text` cut at `cuts` (positions taken modulo its length). */
function pieces(text: string, cuts: number[]): string[] {
  const at = [...new Set(cuts.map((c) => (text.length ? c % text.length : 0)))].filter((c) => c > 0).sort((a, b) => a - b);
  return [0, ...at].map((start, i) => text.slice(start, at[i] ?? text.length));
}

const HEAD = 'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n';

t.test('sse_truncate passes exactly `events` events and at most partial_bytes of the next, never its end', async (t) => {
  fc.assert(
    fc.property(fc.array(event, { minLength: 1, maxLength: 6 }), fc.nat(6), fc.integer({ min: 1, max: 30 }), fc.array(fc.nat(), { maxLength: 5 }), (events, keep, partial, cuts) => {
      const rig = httpRig(sseTruncate, { events: keep, partial_bytes: partial });
      rig.send('GET /s HTTP/1.1\r\n\r\n');
      const body = events.join('');
      for (const piece of pieces(HEAD + body, cuts)) rig.reply(piece);
      const passed = events.slice(0, keep).join('');
      if (keep >= events.length) return rig.clientText === HEAD + body && rig.finished === null;
      const next = events[keep] as string;
      // The next event's block starts at its first byte (a comment line counts; the cut waits for a field line).
      const sent = rig.clientText.slice(HEAD.length + passed.length);
      if (!rig.clientText.startsWith(HEAD + passed) || rig.finished === null) return false;
      const fieldAt = next.indexOf('data:');
      const min = Math.min(Math.max(partial, fieldAt + 1), next.length - (next.endsWith('\r\n\r\n') ? 2 : 1));
      return next.startsWith(sent) && sent.length === min;
    }),
    { seed: 1415, numRuns: 400 },
  );
  t.pass('400 random streams');
});

t.test('http_delay_headers delivers every byte of every response, heads no earlier than delay', async (t) => {
  fc.assert(
    fc.property(fc.array(event, { minLength: 0, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 5 }), (events, cuts) => {
      const rig = httpRig(httpDelayHeaders, { delay: 40 });
      rig.send('GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n');
      const body = events.join('');
      const text = `HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body, 'latin1')}\r\n\r\n${body}` + `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${body.length ? `${body.length.toString(16)}\r\n${body}\r\n` : ''}0\r\n\r\n`;
      pieces(text, cuts).forEach((piece, i) => {
        rig.clock.advance(i * 7);
        rig.reply(piece);
      });
      rig.clock.advance(1000);
      return rig.clientText === text && rig.client.every((c) => c.at >= 40) && rig.response.held === 0;
    }),
    { seed: 1416, numRuns: 300 },
  );
  t.pass('300 random streams');
});
