import t from 'tap';
import { dial, echoServer, eventually, proxyTo, record } from '../helpers/net.js';

t.test('partial_line passes short lines whole, cuts the first longer line after bytes bytes, and delivers the rest on removal', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  proxy.addToxic({ name: 'half', type: 'partial_line', stream: 'downstream', attributes: { bytes: 6 } });
  const socket = await dial(t, port);
  const got = record(socket);
  socket.write('short\n');
  await got.waitForBytes(6);
  socket.write('a longer ');
  socket.write('line\nnext\n');
  await got.waitForBytes(12);
  t.ok(await eventually(() => (proxy.connections[0]?.down?.held ?? 0) > 0), 'the rest is held');
  t.equal(got.data().toString(), 'short\na long', 'the short line, then 6 bytes of the long one');
  proxy.removeToxic('half');
  await got.waitForBytes(25);
  t.equal(got.data().toString(), 'short\na longer line\nnext\n', 'everything, in order, once');
});

t.test('partial_line counts a line across writes', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  proxy.addToxic({ name: 'half', type: 'partial_line', stream: 'downstream', attributes: { bytes: 5 } });
  const socket = await dial(t, port);
  const got = record(socket);
  socket.write('abc');
  await got.waitForBytes(3);
  socket.write('defgh');
  await got.waitForBytes(5);
  t.ok(await eventually(() => (proxy.connections[0]?.down?.held ?? 0) === 3), 'the bytes past the fifth are held');
  t.equal(got.data().toString(), 'abcde');
});

t.test('partial_line rejects bytes 0 and kill rejects an unknown signal, naming the field', async (t) => {
  const { proxy } = await proxyTo(t, await echoServer(t));
  t.throws(() => proxy.addToxic({ type: 'partial_line', attributes: { bytes: 0 } }), { code: 'ERR_INVALID_ATTRIBUTE', message: /attributes\.bytes: must be >= 1/ });
  t.throws(() => proxy.addToxic({ type: 'kill', attributes: { signal: 'SIGNOPE' } }), { code: 'ERR_INVALID_ATTRIBUTE', message: /attributes\.signal: must be a signal name/ });
  t.equal(proxy.addToxic({ type: 'kill' }).attributes['signal'], 'SIGKILL', 'kill defaults to SIGKILL');
  t.equal(proxy.addToxic({ type: 'partial_line' }).attributes['bytes'], 8, 'partial_line defaults to 8 bytes');
});
