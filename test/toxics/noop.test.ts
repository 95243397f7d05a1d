import { randomBytes } from 'node:crypto';
import t from 'tap';
import { dial, echoServer, proxyTo, readAll, record, roundTrip } from '../helpers/net.js';

t.test('noop on both streams passes data through unchanged, end included', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  proxy.addToxic({ type: 'noop', stream: 'upstream' });
  proxy.addToxic({ type: 'noop', stream: 'downstream' });
  const socket = await dial(t, port);
  await roundTrip(socket, 'warm-up');
  t.same(proxy.connections[0]?.up?.activeToxics, ['noop_upstream'], 'noop runs on the upstream link');
  t.same(proxy.connections[0]?.down?.activeToxics, ['noop_downstream'], 'noop runs on the downstream link');
  const reply = readAll(socket);
  const payload = randomBytes(1_000_000);
  socket.end(payload);
  t.ok((await reply).equals(payload), '1,000,000 bytes echoed intact and in order, then the end');
});

t.test('noop added to an already open connection runs on it and passes data unchanged', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  const socket = await dial(t, port);
  await roundTrip(socket, 'warm-up');
  proxy.addToxic({ type: 'noop' });
  t.same(proxy.connections[0]?.down?.activeToxics, ['noop_downstream'], 'noop runs on the live downstream link');
  const got = record(socket);
  const payload = randomBytes(100_000);
  socket.write(payload);
  await got.waitForBytes(payload.length);
  t.ok(got.data().equals(payload), 'data intact');
});

t.test('noop has no attributes: unknown ones are ignored, as Toxiproxy does', async (t) => {
  const { proxy } = await proxyTo(t, await echoServer(t));
  const toxic = proxy.addToxic({ type: 'noop', attributes: { rate: -1 } });
  t.same(toxic.attributes, {}, 'stored with no attributes');
});
