/** The HTTP toxics on a fake clock, both stages of one connection wired as a Connection wires them: exact bytes, order and times. */
import t from 'tap';
import { httpDelayHeaders } from '../../proxy/toxics/http-delay-headers.js';
import { httpStatus } from '../../proxy/toxics/http-status.js';
import { sseTruncate } from '../../proxy/toxics/sse-truncate.js';
import { httpRig } from '../helpers/http-rig.js';

const postLength = 'POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world';
const postChunked = 'POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n';
const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;
const ok = (body: string) => `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
/** What the client got, joined per release time. */
const byTime = (client: Array<{ at: number; text: string }>) =>
  client.reduce<Array<[number, string]>>((acc, c) => {
    const last = acc[acc.length - 1];
    if (last && last[0] === c.at) last[1] += c.text;
    else acc.push([c.at, c.text]);
    return acc;
  }, []);
const statusOf = (text: string) => [...text.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => Number(m[1]));

t.test('http_status count 2 answers the first two requests itself and the third reaches the upstream intact', async (t) => {
  const rig = httpRig(httpStatus, { count: 2 });
  rig.send(postLength + postChunked + get('/c'));
  t.equal(rig.upstream, get('/c'), 'the answered requests, bodies included, never reach the upstream');
  t.same(statusOf(rig.clientText), [503, 503], 'answered at once');
  t.match(rig.clientText, /content-length: 24\r\n/);
  t.match(rig.clientText, /connection: keep-alive\r\n\r\n503 Service Unavailable\n/);
  rig.reply(ok('c'));
  t.same(statusOf(rig.clientText), [503, 503, 200]);
  rig.send(get('/d'));
  t.equal(rig.upstream, get('/c') + get('/d'), 'count spent: everything passes');
  t.equal(rig.tripped.length, 2);
  t.same(rig.bypassed, []);
});

t.test('http_status keeps pipelined order: a reply waits for the responses to the requests before it', async (t) => {
  const draws = [0.9, 0.1, 0.9];
  const rig = httpRig(httpStatus, { rate: 0.5, status: 429, retry_after: 7 }, { random: () => draws.shift() ?? 0.9 });
  rig.send(get('/a') + postChunked + get('/c'));
  t.equal(rig.upstream, get('/a') + get('/c'));
  t.same(rig.client, [], 'the reply to /b must not overtake the response to /a');
  const waiting = rig.request.held ?? 0;
  t.ok(waiting > 100, `the waiting reply counts as held on the request link (${waiting} bytes), so its bound pauses the client`);
  rig.reply('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n');
  t.same(statusOf(rig.clientText), [200], 'still inside the response to /a');
  rig.reply('0\r\n\r\n');
  t.same(statusOf(rig.clientText), [200, 429]);
  t.same([rig.request.held, rig.released], [0, 1], 'sent: the request link is told it may read again');
  t.match(rig.clientText, /retry-after: 7\r\n/);
  rig.reply(ok('c'));
  t.same(statusOf(rig.clientText), [200, 429, 200]);
});

t.test('http_status: a HEAD reply has no body; Connection: close and Expect: 100-continue close after the reply', async (t) => {
  const head = httpRig(httpStatus);
  head.send('HEAD / HTTP/1.1\r\n\r\n');
  t.match(head.clientText, /content-length: 24\r\nx-faultline-toxic: http_status\r\nconnection: keep-alive\r\n\r\n$/);
  const close = httpRig(httpStatus);
  close.send('GET / HTTP/1.1\r\nConnection: close\r\n\r\n');
  t.match(close.clientText, /connection: close\r\n/);
  t.equal(close.finished, 0, 'the connection closes once the reply is out');
  const expect = httpRig(httpStatus);
  expect.send('PUT /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n');
  t.same([statusOf(expect.clientText), expect.finished], [[503], 0]);
});

t.test('an HTTP toxic passes a stream that is not HTTP through untouched, both ways, and says so once', async (t) => {
  const rig = httpRig(httpStatus);
  rig.send('\x00\x01binary frame');
  rig.send('more');
  rig.reply('\x02reply');
  t.same([rig.upstream, rig.clientText], ['\x00\x01binary framemore', '\x02reply']);
  t.equal(rig.bypassed.length, 1);
  t.match(rig.bypassed[0], /not an HTTP\/1.x request line/);
  const server = httpRig(httpDelayHeaders, { delay: 100 });
  server.reply('220 smtp ready\r\n');
  server.send('HELO x\r\n');
  t.same([server.clientText, server.upstream, server.bypassed.length], ['220 smtp ready\r\n', 'HELO x\r\n', 1], 'a server that speaks first');
});

t.test('http_delay_headers holds each response head delay ms from its arrival; the body follows it', async (t) => {
  const rig = httpRig(httpDelayHeaders, { delay: 100 });
  rig.send(get('/a') + get('/b'));
  t.equal(rig.upstream, get('/a') + get('/b'), 'requests pass at once');
  rig.reply('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab');
  rig.clock.advance(30);
  rig.reply('cd');
  rig.clock.advance(69);
  t.same(rig.client, []);
  rig.clock.advance(1);
  t.same(byTime(rig.client), [[100, 'HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabcd']]);
  rig.reply(ok('b'));
  rig.clock.advance(99);
  t.equal(byTime(rig.client).length, 1);
  rig.clock.advance(1);
  t.same(byTime(rig.client).map(([at]) => at), [100, 200]);
  t.equal(rig.response.held, 0);
});

t.test('http_delay_headers knows a response to HEAD has no body, and holds the end behind the last head', async (t) => {
  const rig = httpRig(httpDelayHeaders, { delay: 50 });
  rig.send('HEAD / HTTP/1.1\r\n\r\n' + get('/b'));
  rig.reply('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n' + ok('b'));
  rig.response.end?.();
  rig.clock.advance(49);
  t.same([rig.client, rig.clientEnded], [[], null]);
  rig.clock.advance(1);
  t.same(statusOf(rig.clientText), [200, 200]);
  t.equal(rig.clientEnded, 50);
});

const sseHead = 'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n';
const chunk = (s: string) => `${s.length.toString(16)}\r\n${s}\r\n`;

t.test('sse_truncate lets events complete events through, then partial_bytes of the next, and closes', async (t) => {
  const rig = httpRig(sseTruncate, { events: 2, partial_bytes: 5 });
  rig.send(get('/mcp'));
  rig.reply(sseHead + chunk(': ping\n\n') + chunk('id: 1\ndata: one\n\n'));
  rig.reply(chunk('id: 2\ndata: two\n\nid: 3\ndata: three\n\n'));
  t.match(rig.clientText, /data: two\n\nid: 3$/, 'the third event is cut after 5 bytes');
  t.equal(rig.finished, 0);
  t.same(rig.tripped, ['sse_truncate after 2 events and 5 bytes of the next (close)']);
  rig.reply(chunk('id: 4\ndata: four\n\n'));
  t.notMatch(rig.clientText, /four/, 'nothing after the cut');
});

t.test('sse_truncate never lets an event short of partial_bytes complete; reset mode resets; count spares later streams', async (t) => {
  const short = httpRig(sseTruncate, { events: 0, partial_bytes: 100, mode: 'reset' });
  short.send(get('/s'));
  short.reply('HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\n\r\ndata: x\r\n\r\n');
  t.match(short.clientText, /\r\n\r\ndata: x\r\n$/);
  t.same(short.cut, { at: 0, mode: 'reset' });
  const state = sseTruncate.createState?.();
  const first = httpRig(sseTruncate, { events: 0, count: 1 }, { state });
  first.send(get('/s'));
  first.reply(sseHead + chunk('data: 12345678901\n\n'));
  t.equal(first.finished, 0);
  const second = httpRig(sseTruncate, { events: 0, count: 1 }, { state });
  second.send(get('/s'));
  second.reply(sseHead + chunk('data: 12345678901\n\n'));
  t.same([second.finished, second.cut], [null, null], 'count 1: the next SSE stream is left alone');
  t.match(second.clientText, /data: 12345678901\n\n\r\n$/);
  const json = httpRig(sseTruncate, { events: 0 });
  json.send(get('/j'));
  json.reply(ok('{"data": 1}\n\n'));
  t.same([json.finished, json.clientText], [null, ok('{"data": 1}\n\n')], 'not an event stream: untouched');
});

t.test('http_status sends replies due together in request order (a HEAD reply, bodiless, before a POST reply)', async (t) => {
  const draws = [0.9, 0.1, 0.1];
  const rig = httpRig(httpStatus, { rate: 0.5 }, { random: () => draws.shift() ?? 0.9 });
  rig.send(get('/a') + 'HEAD /b HTTP/1.1\r\n\r\n' + postLength);
  rig.reply(ok('a'));
  const replies = rig.clientText.split('HTTP/1.1 503').slice(1);
  t.equal(replies.length, 2);
  t.match(replies[0], /\r\n\r\n$/, 'the first reply answers HEAD: no body');
  t.match(replies[1], /\r\n\r\n503 Service Unavailable\n$/, 'the second answers the POST');
});
