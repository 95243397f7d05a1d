/** SSE event boundaries: LF, CRLF and CR line ends; comment-only blocks are no events. */
import t from 'tap';
import { SseScanner } from '../../proxy/http/sse.js';

function scan(text: string) {
  const scanner = new SseScanner();
  const completedAt: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const b = text.charCodeAt(i);
    const predicted = scanner.completes(b);
    const before = scanner.complete;
    scanner.step(b);
    if (scanner.complete !== before) completedAt.push(i);
    if (predicted !== (scanner.complete !== before)) throw new Error(`completes() wrong at ${i}`);
  }
  return { complete: scanner.complete, completedAt, blockBytes: scanner.blockBytes };
}

t.test('an event completes at the first byte of the blank line that ends it, whatever the line ends', async (t) => {
  t.same(scan('data: a\n\ndata: b\n\n').completedAt, [8, 17]);
  t.same(scan('id: 1\r\ndata: a\r\n\r\nevent: x\r\ndata: b\r\n\r\n').completedAt, [16, 37]);
  t.same(scan('data: a\r\rdata: b\r\r').completedAt, [8, 17]);
});

t.test('comment-only blocks and extra blank lines are no events; the event under way is measured', async (t) => {
  const r = scan(': ping\n\n\n\ndata: a\n\ndata: par');
  t.same([r.complete, r.blockBytes], [1, 9]);
});
