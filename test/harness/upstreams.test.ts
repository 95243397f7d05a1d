import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import t from 'tap';
import { createFrameDecoder, encodeFrame, type Decoded, type Frame } from '../../harness/frame.js';
import { startEchoUpstream } from '../../harness/upstreams/echo.js';
import { startHttpUpstream } from '../../harness/upstreams/http.js';
import { fetchLedger } from '../../harness/upstreams/ledger.js';
import { startMcpUpstream } from '../../harness/upstreams/mcp.js';
import type { Upstream } from '../../harness/upstreams/upstream.js';
import type { Teardown } from '../helpers/net.js';

async function started<U extends Upstream>(t: Teardown, upstream: Promise<U>): Promise<U> {
  const u = await upstream;
  t.teardown(() => u.close());
  return u;
}

async function frameSocket(t: Teardown, address: string): Promise<{ socket: Socket; next(): Promise<Decoded> }> {
  const [host, port] = address.split(':') as [string, string];
  const socket = connect({ host, port: Number(port), allowHalfOpen: true });
  t.teardown(() => socket.destroy());
  await once(socket, 'connect');
  const decoder = createFrameDecoder();
  const queue: Decoded[] = [];
  let wake: (() => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    queue.push(...decoder.push(chunk));
    wake?.();
  });
  const next = async (): Promise<Decoded> => {
    while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    return queue.shift() as Decoded;
  };
  return { socket, next };
}

const frame = (type: Frame['type'], seq: number, id: string, payload = ''): Frame => ({ type, seq, id, payload });

t.test('echo upstream acks writes with the count, answers reads, and serves its ledger', async (t) => {
  const echo = await started(t, startEchoUpstream());
  const { socket, next } = await frameSocket(t, echo.address);
  socket.write(Buffer.concat([encodeFrame(frame('write', 1, 'a', 'one')), encodeFrame(frame('write', 2, 'a', 'two'))]));
  t.same(await next(), { frame: frame('ack', 1, 'a', '1'), intact: true }, 'first write: applied once');
  t.same(await next(), { frame: frame('ack', 2, 'a', '2'), intact: true }, 'second write: applied twice');
  socket.write(encodeFrame(frame('read', 3, 'a')));
  t.same(await next(), { frame: frame('ack', 3, 'a', 'two'), intact: true }, 'a read returns the last payload');
  socket.write(encodeFrame(frame('read', 4, 'missing')));
  t.same((await next()).frame, frame('error', 4, 'missing', 'not found'));
  t.same([...echo.ledger()], [['a', 2]]);
  t.same([...(await fetchLedger(echo.ledgerUrl))], [['a', 2]], 'the ledger over HTTP says the same');
});

t.test('echo upstream answers a corrupt frame with an error frame and does not apply it', async (t) => {
  const echo = await started(t, startEchoUpstream());
  const { socket, next } = await frameSocket(t, echo.address);
  const bad = encodeFrame(frame('write', 7, 'x', 'payload'));
  bad[bad.length - 6] ^= 0xff;
  socket.write(Buffer.concat([bad, encodeFrame(frame('write', 8, 'y', 'fine'))]));
  t.same(await next(), { frame: frame('error', 7, 'x', 'checksum'), intact: true });
  t.same((await next()).frame, frame('ack', 8, 'y', '1'), 'the stream stays usable after a bad checksum');
  t.same([...echo.ledger()], [['y', 1]], 'only the intact write was applied');
});

t.test('echo upstream answers a bad header with an error frame and hangs up', async (t) => {
  const echo = await started(t, startEchoUpstream());
  const { socket, next } = await frameSocket(t, echo.address);
  const ended = once(socket, 'end');
  socket.write(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
  const reply = await next();
  t.equal(reply.frame.type, 'error');
  t.match(reply.frame.payload, /^protocol: bad magic/);
  await ended;
});

t.test('echo upstream honours half-close: frames before the FIN are answered, then it ends', async (t) => {
  const echo = await started(t, startEchoUpstream());
  const { socket, next } = await frameSocket(t, echo.address);
  const ended = once(socket, 'end');
  socket.end(encodeFrame(frame('write', 1, 'h', 'half')));
  t.same((await next()).frame, frame('ack', 1, 'h', '1'), 'answered after our FIN');
  await ended;
  t.same([...echo.ledger()], [['h', 1]]);
});

t.test('http upstream applies POSTs, reads with GET, 404s unknown ids, serves health and ledger', async (t) => {
  const http = await started(t, startHttpUpstream());
  const base = `http://${http.address}`;
  const post = await fetch(`${base}/ops/a%20b`, { method: 'POST', body: 'hello' });
  t.same(await post.json(), { id: 'a b', applied: 1 });
  t.same(await (await fetch(`${base}/ops/a%20b`, { method: 'POST', body: 'again' })).json(), { id: 'a b', applied: 2 });
  const read = await fetch(`${base}/ops/a%20b`);
  t.equal(await read.text(), 'again');
  t.equal((await fetch(`${base}/ops/nope`)).status, 404);
  t.equal((await fetch(`${base}/elsewhere`)).status, 404);
  t.same(await (await fetch(`${base}/health`)).json(), { ok: true, kind: 'http' });
  t.same([...(await fetchLedger(http.ledgerUrl))], [['a b', 2]]);
});

t.test('mcp upstream records and reads through tools, and notify reaches the session', async (t) => {
  const mcp = await started(t, startMcpUpstream());
  const client = new Client({ name: 'test', version: '1.0.0' });
  const notified = new Promise<unknown>((resolve) => (client.fallbackNotificationHandler = async (n) => resolve(n)));
  const transport = new StreamableHTTPClientTransport(new URL(mcp.url));
  await client.connect(transport);
  t.teardown(() => client.close());
  t.equal(mcp.sessions().length, 1);
  const written = await client.callTool({ name: 'record', arguments: { id: 'k', payload: 'v' } });
  t.same(written.content, [{ type: 'text', text: JSON.stringify({ id: 'k', applied: 1 }) }]);
  t.same((await client.callTool({ name: 'read', arguments: { id: 'k' } })).content, [{ type: 'text', text: 'v' }]);
  t.equal((await client.callTool({ name: 'read', arguments: { id: 'zz' } })).isError, true);
  t.same([...(await fetchLedger(mcp.ledgerUrl))], [['k', 1]]);
  await waitFor(() => postNotify(mcp.ledgerUrl.replace('/ledger', '/notify')).then(() => settledWithin(notified, 100)));
  t.match(await notified, { method: 'notifications/message', params: { logger: 'faultline' } });
});

t.test('mcp upstream answers 404 to a session it ended', async (t) => {
  const mcp = await started(t, startMcpUpstream());
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(mcp.url)));
  t.teardown(() => client.close());
  await mcp.endSessions();
  t.equal(mcp.sessions().length, 0);
  await t.rejects(client.callTool({ name: 'read', arguments: { id: 'k' } }), { code: 404 });
});

t.test('closing an upstream closes every socket it holds', async (t) => {
  for (const start of [startEchoUpstream, startHttpUpstream, startMcpUpstream]) {
    const upstream = await start();
    const [host, port] = upstream.address.split(':') as [string, string];
    const socket = connect({ host, port: Number(port) });
    socket.on('error', () => undefined);
    await once(socket, 'connect');
    await waitFor(async () => upstream.connections() === 1);
    const closed = once(socket, 'close');
    await upstream.close();
    t.equal(upstream.connections(), 0, `${upstream.kind}: no socket left`);
    await closed;
  }
});

async function postNotify(url: string): Promise<void> {
  await (await fetch(url, { method: 'POST' })).body?.cancel();
}

function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([promise.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);
}

/** Retries `check` every 20 ms until it is true (the SSE stream opens asynchronously after connect). */
async function waitFor(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
