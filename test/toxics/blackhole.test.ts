import t from 'tap';
import { dial, echoServer, eventually, outcome, proxyTo, readBytes, roundTrip } from '../helpers/net.js';

t.test('blackhole on both streams is silent: no error, no data, the connection stays open', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  const socket = await dial(t, port);
  await roundTrip(socket, 'before');
  proxy.addToxic({ type: 'blackhole', stream: 'upstream' });
  proxy.addToxic({ type: 'blackhole', stream: 'downstream' });
  let got = 0;
  socket.on('data', (c: Buffer) => (got += c.length));
  const ended = Promise.race([outcome(socket), new Promise((r) => setTimeout(() => r('still open'), 300))]);
  socket.write('into the void');
  t.equal(await ended, 'still open', 'no error and no close');
  t.equal(got, 0, 'nothing came back');
  t.equal(proxy.connections.length, 1, 'the connection is still there');
});

t.test('removing blackhole lets data flow again on the same connection, without replaying', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  const socket = await dial(t, port);
  proxy.addToxic({ type: 'blackhole', stream: 'upstream' });
  socket.write('lost');
  await new Promise((r) => setTimeout(r, 100));
  proxy.removeToxic('blackhole_upstream');
  const reply = readBytes(socket, 5);
  socket.write('found');
  t.equal((await reply).toString(), 'found', 'only data sent after removal arrives');
});

t.test('64 MiB into a black hole keeps proxy memory flat', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  proxy.addToxic({ type: 'blackhole', stream: 'upstream' });
  const socket = await dial(t, port);
  const block = Buffer.alloc(64 * 1024, 1);
  const before = process.memoryUsage();
  let maxHeld = 0;
  for (let sent = 0; sent < 64 * 1024 * 1024; sent += block.length) {
    if (!socket.write(block)) await new Promise((r) => socket.once('drain', r));
    maxHeld = Math.max(maxHeld, proxy.connections[0]?.up?.held ?? 0);
  }
  const link = proxy.connections[0]?.up;
  await eventually(() => link?.bytesIn === 64 * 1024 * 1024);
  const after = process.memoryUsage();
  t.equal(link?.bytesIn, 64 * 1024 * 1024, 'every byte was read by the proxy');
  t.equal(link?.bytesOut, 0, 'none was passed on');
  t.equal(maxHeld, 0, 'the link never held a byte');
  const grew = after.arrayBuffers + after.heapUsed - (before.arrayBuffers + before.heapUsed);
  t.ok(grew < 32 * 1024 * 1024, `heap + buffers grew ${(grew / 1048576).toFixed(1)} MiB for 64 MiB sent`);
});

t.test('blackhole applies to connections opened before it was added', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  const socket = await dial(t, port);
  await roundTrip(socket, 'warm');
  proxy.addToxic({ type: 'blackhole' });
  let got = 0;
  socket.on('data', (c: Buffer) => (got += c.length));
  socket.write('x');
  await new Promise((r) => setTimeout(r, 150));
  t.equal(got, 0, 'the downstream of the old connection is silent');
});
