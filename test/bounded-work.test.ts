import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { BATCH } from '../proxy/pump.js';
import { dial, echoServer, proxyTo, record } from './helpers/net.js';
import { manualScheduler } from './helpers/scheduler.js';

/** Waits (up to 5 s) until `ready()`, calling `tick` every 2 ms meanwhile. */
async function until(ready: () => boolean, tick: () => void): Promise<void> {
  for (let waited = 0; waited < 5000 && !ready(); waited += 2) {
    tick();
    await sleep(2);
  }
}

t.test('what a removed toxic held reaches the client before data sent after the removal, even when it leaves in later slices', async (t) => {
  const scheduler = manualScheduler();
  const { proxy, port } = await proxyTo(t, await echoServer(t), { scheduler });
  proxy.addToxic({ name: 'hold', type: 'latency', attributes: { latency: 60_000 } });
  const socket = await dial(t, port);
  const got = record(socket);
  const turns = (): void => void scheduler.turn();
  let sent = 0;
  for (const part of ['one-', 'two-', 'three-']) {
    socket.write(part);
    sent += part.length;
    await until(() => proxy.connections[0]?.down?.held === sent, turns);
  }
  t.equal(got.bytes, 0, 'the latency toxic holds all three');

  // No slice has room: the removal hands the held data to the sink, which delivers it only in a later turn.
  proxy.removeToxic('hold');
  t.equal(got.bytes, 0, 'nothing delivered yet');
  socket.write('four');
  const down = proxy.connections[0]?.down;
  // Turns without room let the links read on, but give no stage or backlog room to deliver anything.
  await until(() => (down?.bytesIn ?? 0) === 18, turns);
  t.equal(down?.bytesIn, 18, 'the proxy has read "four" back from the upstream');
  await sleep(20);
  t.equal(got.bytes, 0, 'and holds it behind the backlog');

  scheduler.room = true;
  await until(() => got.bytes === 18, turns);
  t.equal(got.data().toString(), 'one-two-three-four', 'in order');
  socket.write('five');
  await until(() => got.bytes === 22, turns);
  t.equal(got.data().toString(), 'one-two-three-fourfive', 'and the fast path carries on once the backlog is out');
});

t.test('slicer with delay 0 passes at most a batch of pieces on per slice and yields the rest', async (t) => {
  const scheduler = manualScheduler();
  scheduler.room = true;
  const { proxy, port } = await proxyTo(t, await echoServer(t), { scheduler });
  proxy.addToxic({ type: 'slicer', attributes: { average_size: 100, size_variation: 0, delay: 0 } });
  const socket = await dial(t, port);
  const got = record(socket);
  socket.write(Buffer.alloc(64_000, 7));
  const down = (): number => proxy.connections[0]?.down?.bytesIn ?? 0;
  await until(() => down() === 64_000, () => undefined);
  const link = proxy.connections[0]?.down;
  const steps: number[] = [];
  while ((link?.held ?? 0) > 0 && steps.length < 1000) {
    const before = link?.held ?? 0;
    scheduler.turn();
    steps.push(before - (link?.held ?? 0));
  }
  t.ok(steps.length >= 19, `${steps.length} turns to pass 64,000 bytes on in 100-byte pieces`);
  t.ok(Math.max(...steps) <= BATCH * 100, `no turn passed more than ${BATCH} pieces (most: ${Math.max(...steps)} bytes)`);
  await until(() => got.bytes === 64_000, () => undefined);
  t.equal(got.bytes, 64_000, 'everything arrives');
});
