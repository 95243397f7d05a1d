/** cut_after on real sockets: each action, timed from the connection's start or the toxic's add (fake-clock tests: fake-clock.test.ts). */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { assertTiming, watchLateness } from '../helpers/lateness.js';
import { dial, echoServer, eventually, proxyTo, record, roundTrip, type Recording, type Teardown } from '../helpers/net.js';

/** Writes a line every 20 ms until the socket ends (data keeps flowing up to the cut). */
function stream(socket: Socket): void {
  const timer = setInterval(() => {
    if (socket.writable) socket.write('tick\n');
  }, 20);
  socket.once('close', () => clearInterval(timer));
  socket.once('error', () => clearInterval(timer));
}

/** Dials from `localAddress`, waits for the connection, and starts streaming; returns the recording and when it connected. */
async function streaming(t: Teardown, port: number, localAddress = '127.0.0.1'): Promise<{ socket: Socket; got: Recording; connectedAt: number }> {
  const socket = connect({ host: '127.0.0.1', port, localAddress, allowHalfOpen: true });
  t.teardown(() => socket.destroy());
  const got = record(socket);
  await once(socket, 'connect');
  const connectedAt = performance.now();
  stream(socket);
  return { socket, got, connectedAt };
}

for (const [action, how] of [
  ['reset', 'ECONNRESET'],
  ['close', 'end'],
] as const) {
  t.test(`cut_after ${action} lets data flow for after_ms from the connection's start, then the client sees ${how}`, async (t) => {
    const { proxy, port } = await proxyTo(t, await echoServer(t));
    proxy.addToxic({ type: 'cut_after', attributes: { after_ms: 300, action } });
    const late = watchLateness(t);
    const { got, connectedAt } = await streaming(t, port);
    const ending = await got.ended;
    t.equal(ending.how, how);
    assertTiming(t, ending.at - connectedAt, 295, 300, late, `cut ${(ending.at - connectedAt).toFixed(0)} ms after connecting`);
    t.ok(got.bytes >= 'tick\n'.length * 5, `data flowed until then (${got.bytes} bytes echoed)`);
  });
}

t.test('cut_after blackhole silences its stream after after_ms and keeps the connection open', async (t) => {
  let upstreamGot = 0;
  const { proxy, port } = await proxyTo(t, await echoServer(t, (s) => s.on('data', (c: Buffer) => (upstreamGot += c.length))));
  const tripped: number[] = [];
  proxy.events.subscribe((e) => tripped.push(e.at), ['fault.tripped']);
  proxy.addToxic({ type: 'cut_after', attributes: { after_ms: 200, action: 'blackhole' } });
  const socket = await dial(t, port);
  const connectedAt = performance.now();
  const late = watchLateness(t);
  const got = record(socket);
  await roundTrip(socket, 'before');
  t.ok(await eventually(() => tripped.length === 1), 'the toxic tripped');
  assertTiming(t, (tripped[0] as number) - connectedAt, 195, 200, late, `black-holed ${((tripped[0] as number) - connectedAt).toFixed(0)} ms after connecting`);
  const echoedBefore = got.bytes;
  const upstreamBefore = upstreamGot;
  const downIn = (): number => proxy.connections[0]?.down?.bytesIn ?? 0;
  const proxyBefore = downIn();
  socket.write('after');
  t.ok(await eventually(() => upstreamGot === upstreamBefore + 5 && downIn() === proxyBefore + 5), 'the upstream got it and echoed it into the proxy');
  t.equal(got.bytes, echoedBefore, 'the echo never reached the client');
  t.equal(got.ending, undefined, 'the connection is still open');
  t.equal(proxy.connections.length, 1);
});

t.test('on a live connection cut_after counts from when it was added, not from the connection start', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  const { got, connectedAt } = await streaming(t, port);
  // The connection is older than after_ms when the toxic comes.
  await sleep(300);
  const late = watchLateness(t);
  const addedAt = performance.now();
  proxy.addToxic({ type: 'cut_after', attributes: { after_ms: 200 } });
  const ending = await got.ended;
  t.equal(ending.how, 'ECONNRESET');
  assertTiming(t, ending.at - addedAt, 195, 200, late, `cut ${(ending.at - addedAt).toFixed(0)} ms after the add (${(ending.at - connectedAt).toFixed(0)} ms after connecting)`);
});

t.test('cut_after with a clients selector cuts only the picked client', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  proxy.addToxic({ type: 'cut_after', attributes: { after_ms: 150 }, clients: { addresses: ['127.0.0.2'] } });
  const picked = await streaming(t, port, '127.0.0.2');
  const spared = await streaming(t, port, '127.0.0.1');
  t.equal((await picked.got.ended).how, 'ECONNRESET', 'the client from 127.0.0.2 is reset');
  const before = spared.got.bytes;
  await spared.got.waitForBytes(before + 'tick\n'.length * 3);
  t.equal(spared.got.ending, undefined, 'the client from 127.0.0.1 still streams after the other was cut');
  t.ok(await eventually(() => proxy.connections.length === 1), 'one connection left');
});

t.test('cut_after rejects bad attributes naming the field', async (t) => {
  const { proxy } = await proxyTo(t, await echoServer(t));
  t.throws(() => proxy.addToxic({ type: 'cut_after', attributes: { after_ms: -1 } }), { code: 'ERR_INVALID_ATTRIBUTE', field: 'attributes.after_ms' });
  t.throws(() => proxy.addToxic({ type: 'cut_after', attributes: { action: 'unplug' } }), { code: 'ERR_INVALID_ATTRIBUTE', field: 'attributes.action' });
  t.same(proxy.toxicSet.list(), []);
});
