import { createServer, type Socket } from 'node:net';
import t from 'tap';
import { EventBus, type FaultlineEvent } from '../../proxy/events.js';
import { dial, echoServer, eventually, listen, outcome, proxyTo, readAll, readBytes, roundTrip, type Teardown } from '../helpers/net.js';

/** A proxy in front of a server that does `behave` with each connection; events recorded. */
async function faulty(t: Teardown, behave: (s: Socket) => void) {
  const upstream = await listen(
    t,
    createServer({ allowHalfOpen: true }, (s) => {
      s.on('error', () => undefined);
      behave(s);
    }),
  );
  const events = new EventBus();
  const seen: FaultlineEvent[] = [];
  events.subscribe((e) => seen.push(e));
  const { registry, proxy, port } = await proxyTo(t, upstream, { events });
  return { registry, proxy, port, seen };
}

/** Afterwards the proxy serves a healthy upstream normally (the registry outlives the fault). */
async function servesNext(t: Teardown & { ok: (v: unknown, m: string) => void }, ctx: Awaited<ReturnType<typeof faulty>>) {
  await ctx.registry.update('p', { upstream: `127.0.0.1:${await echoServer(t)}` });
  const socket = await dial(t, ctx.port);
  t.ok((await roundTrip(socket, 'next')) >= 0, 'the next connection is served normally');
}

const closedEvents = (seen: FaultlineEvent[]) => seen.filter((e) => e.type === 'connection.closed' || e.type === 'connection.failed');

t.test('an upstream that resets mid-stream: the client gets a reset, logged once', async (t) => {
  const ctx = await faulty(t, (s) => {
    s.write('partial');
    setTimeout(() => s.resetAndDestroy(), 50);
  });
  const socket = await dial(t, ctx.port);
  const got = readBytes(socket, 7);
  const end = outcome(socket);
  t.equal((await got).toString(), 'partial', 'data before the reset arrives');
  t.equal(await end, 'ECONNRESET', 'the client sees ECONNRESET');
  await eventually(() => closedEvents(ctx.seen).length > 0);
  const closed = closedEvents(ctx.seen);
  t.equal(closed.length, 1, 'one event for the connection');
  t.match(closed[0], { type: 'connection.closed', reason: 'upstream error (ECONNRESET)' });
  await servesNext(t, ctx);
});

t.test('an upstream that closes half-way: the client gets the data and a FIN, and can still send', async (t) => {
  let received = '';
  const ctx = await faulty(t, (s) => {
    s.end('half of it');
    s.on('data', (c: Buffer) => (received += c.toString()));
  });
  const socket = await dial(t, ctx.port);
  t.equal((await readAll(socket)).toString(), 'half of it', 'data then FIN (end)');
  socket.end('late words');
  await eventually(() => received.length >= 'late words'.length && closedEvents(ctx.seen).length > 0);
  t.equal(received, 'late words', 'the upstream still received what the client sent after');
  const closed = closedEvents(ctx.seen);
  t.equal(closed.length, 1);
  t.match(closed[0], { reason: 'upstream closed', bytes_down: 10, bytes_up: 10 });
  await servesNext(t, ctx);
});

t.test('an upstream that never answers: the client sees silence, not an error', async (t) => {
  const ctx = await faulty(t, (s) => s.resume());
  const socket = await dial(t, ctx.port);
  socket.write('hello?');
  const result = await Promise.race([outcome(socket), new Promise((r) => setTimeout(() => r('silence'), 300))]);
  t.equal(result, 'silence');
  t.equal(ctx.proxy.connections.length, 1, 'the connection stays open');
  t.equal(closedEvents(ctx.seen).length, 0, 'nothing to log yet');
  socket.destroy();
  await servesNext(t, ctx);
});

t.test('an upstream that refuses: the client is closed at once, logged once per connection', async (t) => {
  const ctx = await faulty(t, () => undefined);
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  await ctx.registry.update('p', { upstream: `127.0.0.1:${port}` });
  const socket = await dial(t, ctx.port);
  t.ok(['end', 'close'].includes(await outcome(socket)), 'closed at once');
  await eventually(() => closedEvents(ctx.seen).length > 0);
  const closed = closedEvents(ctx.seen);
  t.equal(closed.length, 1);
  t.match(closed[0], { type: 'connection.failed', error: 'ECONNREFUSED' });
  await servesNext(t, ctx);
});
