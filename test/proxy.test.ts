import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import t from 'tap';
import { dial, echoServer, listen, outcome, portOf, proxyTo, readAll, roundTrip } from './helpers/net.js';
import { Registry } from '../proxy/registry.js';
import { assertTiming, watchLateness } from './helpers/lateness.js';

t.test('port 0 gives a real port, reported in listen', async (t) => {
  const { proxy } = await proxyTo(t, await echoServer(t));
  t.match(proxy.listen, /^127\.0\.0\.1:\d+$/);
  t.not(portOf(proxy.listen), 0);
});

t.test('a client that sends and half-closes still receives the full reply', async (t) => {
  // The server answers only once it has read the whole request (its end).
  const reply = Buffer.alloc(300_000, 'r');
  const upstream = await listen(
    t,
    createServer({ allowHalfOpen: true }, (s) => {
      const got: Buffer[] = [];
      s.on('data', (c: Buffer) => got.push(c));
      s.on('end', () => s.end(Buffer.concat([Buffer.from(`${Buffer.concat(got).length}:`), reply])));
    }),
  );
  const { port } = await proxyTo(t, upstream);
  const socket = await dial(t, port);
  const all = readAll(socket);
  socket.end(Buffer.alloc(100_000, 'q'));
  const got = await all;
  t.equal(got.length, '100000:'.length + reply.length, 'the whole reply arrived after the client half-closed');
  t.equal(got.subarray(0, 7).toString(), '100000:', 'the server saw the whole request before the end');
});

t.test('a server that half-closes first can still receive from the client', async (t) => {
  const received = new Promise<string>((resolve) => {
    void listen(
      t,
      createServer({ allowHalfOpen: true }, (s) => {
        s.end('bye');
        const got: Buffer[] = [];
        s.on('data', (c: Buffer) => got.push(c));
        s.on('end', () => resolve(Buffer.concat(got).toString()));
      }),
    ).then(async (upstream) => {
      const { port } = await proxyTo(t, upstream);
      const socket = await dial(t, port);
      t.equal((await readAll(socket)).toString(), 'bye', 'the client got the server half-close');
      socket.end('still here');
    });
  });
  t.equal(await received, 'still here', 'the server received data sent after its own FIN');
});

t.test('an upstream that refuses gets the client closed at once, and the proxy keeps serving', async (t) => {
  const closed = createServer();
  closed.listen(0, '127.0.0.1');
  await once(closed, 'listening');
  const deadPort = (closed.address() as { port: number }).port;
  await new Promise((r) => closed.close(r));

  const registry = new Registry({ seed: 'x' });
  t.teardown(() => registry.close());
  const proxy = await registry.create({ name: 'dead', listen: '127.0.0.1:0', upstream: `127.0.0.1:${deadPort}` });
  const late = watchLateness(t);
  const start = performance.now();
  const socket = connect({ host: '127.0.0.1', port: portOf(proxy.listen) });
  const how = await outcome(socket);
  t.ok(['end', 'close', 'ECONNRESET'].includes(how), `client saw ${how}`);
  assertTiming(t, performance.now() - start, 0, 50, late, 'closed at once, not after a timeout');

  await registry.update('dead', { upstream: `127.0.0.1:${await echoServer(t)}` });
  const again = await dial(t, portOf(proxy.listen));
  t.ok((await roundTrip(again, 'alive')) >= 0, 'the same proxy serves the next connection');
});

t.test('disabling closes live connections and refuses new ones; enabling listens on the same address', async (t) => {
  const { registry, proxy, port } = await proxyTo(t, await echoServer(t));
  const live = await dial(t, port);
  await roundTrip(live, 'x');
  const liveOutcome = outcome(live);
  await registry.update('p', { enabled: false });
  t.ok(['end', 'close', 'ECONNRESET'].includes(await liveOutcome), 'the live connection was closed');
  t.equal(proxy.connections.length, 0, 'no connection is left');
  const refused = connect({ host: '127.0.0.1', port });
  t.equal(await outcome(refused), 'ECONNREFUSED', 'a new connection is refused');

  await registry.update('p', { enabled: true });
  t.equal(portOf(proxy.listen), port, 'listening again on the same port');
  const back = await dial(t, port);
  t.ok((await roundTrip(back, 'again')) >= 0, 'and serving');
});

t.test('a closed connection leaves no state behind and its bytes are counted', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  const socket = await dial(t, port);
  await roundTrip(socket, 'hello');
  const all = readAll(socket);
  socket.end();
  await all;
  while (proxy.connections.length > 0) await new Promise((r) => setTimeout(r, 5));
  t.same(
    { upIn: proxy.totals.upIn, downOut: proxy.totals.downOut, accepted: proxy.totals.accepted },
    { upIn: 5, downOut: 5, accepted: 1 },
  );
});
