/** The incremental HTTP/1.1 reader: heads, bodies (Content-Length, chunked, until close), pipelining, tunnels, and streams that are not HTTP. */
import t from 'tap';
import fc from 'fast-check';
import { MessageReader, type MessageSink } from '../../proxy/http/message-reader.js';
import { requestFraming, responseFraming } from '../../proxy/http/body.js';
import { MAX_HEAD, type Head } from '../../proxy/http/head.js';

/** Feeds `input` in pieces cut at `cuts`; returns what the reader reported, and checks every byte came out once, in order. */
function read(kind: 'request' | 'response', input: string, cuts: number[] = [], method?: string) {
  const log: string[] = [];
  const out: Buffer[] = [];
  let payload = '';
  const sink: MessageSink = {
    head: (head: Head, raw) => {
      log.push(kind === 'request' ? `head ${head.method} ${head.target}` : `head ${head.status}`);
      out.push(raw);
    },
    piece: (raw, isPayload) => {
      out.push(raw);
      if (isPayload) payload += raw.toString('latin1');
    },
    done: () => log.push('done'),
    opaque: (raw) => {
      log.push('opaque');
      out.push(raw);
    },
    invalid: (reason) => log.push(`invalid: ${reason}`),
  };
  const framing = kind === 'request' ? requestFraming : (head: Head) => responseFraming(head, method);
  const reader = new MessageReader(kind, framing, sink);
  const data = Buffer.from(input, 'latin1');
  const bounds = [0, ...[...new Set(cuts)].filter((c) => c > 0 && c < data.length).sort((a, b) => a - b), data.length];
  for (let i = 0; i + 1 < bounds.length; i++) reader.feed(data.subarray(bounds[i], bounds[i + 1]));
  return { log: log.filter((l, i) => l !== 'opaque' || log[i - 1] !== 'opaque'), payload, bytes: Buffer.concat(out).toString('latin1'), held: reader.buffered, reader };
}

const pipelined =
  'POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello' +
  'POST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n0\r\nTrailer: y\r\n\r\n' +
  'GET /c HTTP/1.1\r\n\r\n';

t.test('pipelined requests with Content-Length and chunked bodies are told apart, whatever the cuts', async (t) => {
  const whole = read('request', pipelined);
  t.same(whole.log, ['head POST /a', 'done', 'head POST /b', 'done', 'head GET /c', 'done']);
  t.equal(whole.payload, 'helloabc');
  fc.assert(
    fc.property(fc.array(fc.nat(pipelined.length), { maxLength: 12 }), (cuts) => {
      const r = read('request', pipelined, cuts);
      return r.bytes === pipelined && JSON.stringify(r.log) === JSON.stringify(whole.log) && r.payload === 'helloabc' && r.held === 0;
    }),
    { seed: 14, numRuns: 300 },
  );
});

t.test('a response to HEAD, a 204 and a 304 have no body; 1xx are interim; no length means until close', async (t) => {
  t.same(read('response', 'HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n', [], 'HEAD').log, ['head 200', 'done', 'head 204', 'done']);
  t.same(read('response', 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 3\r\n\r\n').log, ['head 100', 'done', 'head 304', 'done']);
  const close = read('response', 'HTTP/1.1 200 OK\r\n\r\nall of it');
  t.same([close.log, close.payload, close.reader.inMessage], [['head 200'], 'all of it', true]);
});

t.test('a chunked response is walked piece by piece: payload apart from the framing', async (t) => {
  const r = read('response', 'HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, chunked\r\n\r\na\r\n0123456789\r\n1\r\nX\r\n0\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok', [40, 41, 50]);
  t.same(r.log, ['head 200', 'done', 'head 200', 'done']);
  t.equal(r.payload, '0123456789Xok');
});

t.test('101 and a 2xx to CONNECT turn the stream into a tunnel: the rest passes unparsed, with no warning', async (t) => {
  const r = read('response', 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x05hello');
  t.same(r.log, ['head 101', 'done', 'opaque']);
  t.same(read('response', 'HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x01', [], 'CONNECT').log, ['head 200', 'done', 'opaque']);
});

t.test('a stream that is not HTTP is recognised from its first line, and every byte is passed on', async (t) => {
  for (const input of ['\x16\x03\x01\x02\x00binary', 'hello\n', 'PING\r\n', '{"jsonrpc":"2.0"}\n']) {
    const r = read('request', input, [1, 3]);
    t.match(r.log[0], /^invalid: not an HTTP\/1.x request line/, JSON.stringify(input));
    t.equal(r.bytes, input, 'nothing lost');
  }
  t.match(read('response', '220 smtp ready\r\n').log[0], /^invalid/);
  t.match(read('request', 'GET / HTTP/1.1\r\nbad header\r\n\r\n').log[0], /^invalid: malformed request header line/);
  t.match(read('request', 'POST / HTTP/1.1\r\nContent-Length: 1, 2\r\n\r\n').log[0], /^invalid: invalid content-length/);
  t.match(read('request', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n').log, ['head POST /', /^invalid: invalid chunk size line/]);
});

t.test('an incomplete head is held, and no more than MAX_HEAD bytes of it', async (t) => {
  const partial = read('request', 'GET / HTTP/1.1\r\nHost: x\r\n');
  t.same([partial.log, partial.held], [[], 25]);
  const huge = read('request', `GET / HTTP/1.1\r\nX: ${'a'.repeat(MAX_HEAD)}`, [1000, 2000]);
  t.match(huge.log[0], /head larger than 65536 bytes/);
  t.equal(huge.held, 0);
});

t.test('blank lines before a request line are skipped (a client that sends CRLF after a body), and bare LF line ends are read', async (t) => {
  const r = read('request', 'POST /a HTTP/1.1\r\nContent-Length: 1\r\n\r\nx\r\n\r\nGET /b HTTP/1.1\nHost: y\n\n', [40, 42]);
  t.same(r.log, ['head POST /a', 'done', 'head GET /b', 'done']);
  t.equal(r.held, 0);
});
