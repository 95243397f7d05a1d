import type { Socket } from 'node:net';
import t from 'tap';
import { assertTiming, watchLateness } from '../helpers/lateness.js';
import { dial, echoServer, proxyTo, record, roundTrip, type Recording, type Teardown } from '../helpers/net.js';

/** An echo upstream whose accepted socket is recorded, so a test can see how the proxy left it. */
async function recordedEcho(t: Teardown): Promise<{ port: number; server: Promise<Recording> }> {
  let accepted!: (server: Recording) => void;
  const server = new Promise<Recording>((resolve) => {
    accepted = resolve;
  });
  const port = await echoServer(t, (s: Socket) => accepted(record(s)));
  return { port, server };
}

t.test('reset_peer with timeout 0 resets the connection on the first data', async (t) => {
  const upstream = await recordedEcho(t);
  const { proxy, port } = await proxyTo(t, upstream.port);
  proxy.addToxic({ type: 'reset_peer', attributes: { timeout: 0 } });
  const socket = await dial(t, port);
  const got = record(socket);
  const late = watchLateness(t);
  const start = performance.now();
  socket.write('hello');
  const ending = await got.ended;
  t.equal(ending.how, 'ECONNRESET', 'the client sees ECONNRESET');
  assertTiming(t, ending.at - start, 0, 0, late, `reset ${(ending.at - start).toFixed(1)} ms after the write`);
  t.equal(got.bytes, 0, 'the data that tripped it is discarded');
  t.equal((await (await upstream.server).ended).how, 'ECONNRESET', 'the upstream sees ECONNRESET too');
});

t.test('reset_peer with timeout 200 resets the connection 200 ms after the first data', async (t) => {
  const upstream = await recordedEcho(t);
  const { proxy, port } = await proxyTo(t, upstream.port);
  proxy.addToxic({ type: 'reset_peer', attributes: { timeout: 200 } });
  const socket = await dial(t, port);
  const got = record(socket);
  const late = watchLateness(t);
  const start = performance.now();
  socket.write('hello');
  const ending = await got.ended;
  const after = ending.at - start;
  t.equal(ending.how, 'ECONNRESET', 'the client sees ECONNRESET');
  assertTiming(t, after, 195, 200, late, `reset ${after.toFixed(0)} ms after the write`);
  t.equal(got.bytes, 0, 'the data that tripped it is discarded');
  t.equal((await (await upstream.server).ended).how, 'ECONNRESET', 'the upstream sees ECONNRESET too');
});

t.test('reset_peer on the upstream is tripped by the end of the stream too', async (t) => {
  const upstream = await recordedEcho(t);
  const { proxy, port } = await proxyTo(t, upstream.port);
  proxy.addToxic({ type: 'reset_peer', stream: 'upstream', attributes: { timeout: 0 } });
  const socket = await dial(t, port);
  const got = record(socket);
  socket.end();
  t.equal((await got.ended).how, 'ECONNRESET', 'the client sees ECONNRESET');
  const server = await upstream.server;
  t.equal((await server.ended).how, 'ECONNRESET', 'the upstream sees ECONNRESET, not the FIN');
});

t.test('reset_peer added to an already open connection resets it on its next data', async (t) => {
  const upstream = await recordedEcho(t);
  const { proxy, port } = await proxyTo(t, upstream.port);
  const socket = await dial(t, port);
  await roundTrip(socket, 'warm-up');
  proxy.addToxic({ type: 'reset_peer', attributes: { timeout: 100 } });
  const got = record(socket);
  const late = watchLateness(t);
  const start = performance.now();
  socket.write('hello');
  const ending = await got.ended;
  const after = ending.at - start;
  t.equal(ending.how, 'ECONNRESET', 'the client sees ECONNRESET');
  assertTiming(t, after, 95, 100, late, `reset ${after.toFixed(0)} ms after the write`);
  t.equal((await (await upstream.server).ended).how, 'ECONNRESET', 'the upstream sees ECONNRESET too');
});

t.test('reset_peer rejects a negative or fractional timeout, naming the field', async (t) => {
  const { proxy } = await proxyTo(t, await echoServer(t));
  for (const timeout of [-1, 0.25]) {
    t.throws(
      () => proxy.addToxic({ type: 'reset_peer', attributes: { timeout } }),
      { name: 'FaultlineError', code: 'ERR_INVALID_ATTRIBUTE', field: 'attributes.timeout' },
      `timeout ${timeout} rejected`,
    );
  }
});
