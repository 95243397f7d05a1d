import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { assertTiming, watchLateness } from '../helpers/lateness.js';
import { dial, echoServer, proxyTo, record, roundTrip } from '../helpers/net.js';

t.test('bandwidth 100 KB/s delivers 200,000 bytes in 2 s ± 10%, intact and in order, then the end', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  proxy.addToxic({ type: 'bandwidth', attributes: { rate: 100 } });
  const socket = await dial(t, port);
  const got = record(socket);
  const payload = randomBytes(200_000);
  const late = watchLateness(t);
  const start = performance.now();
  socket.end(payload);
  const elapsed = (await got.waitForBytes(payload.length)) - start;
  assertTiming(t, elapsed, 1800, 2200, late, `200,000 bytes took ${elapsed.toFixed(0)} ms (2000 ± 10%)`);
  t.ok(got.data().equals(payload), 'every byte arrives once, in order');
  t.equal((await got.ended).how, 'end', 'the end of the stream follows the last byte');
});

t.test('bandwidth cuts a chunk larger than 100 ms worth into 100 ms pieces', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  proxy.addToxic({ type: 'bandwidth', attributes: { rate: 10 } });
  const socket = await dial(t, port);
  const got = record(socket);
  const payload = randomBytes(4500);
  const late = watchLateness(t);
  const start = performance.now();
  socket.write(payload);
  const elapsed = (await got.waitForBytes(payload.length)) - start;
  const sizes = got.chunks.map((c) => c.length);
  t.ok(sizes.length >= 3, `arrived in ${sizes.length} 'data' events: ${sizes.join(', ')}`);
  // A piece leaves once its bytes' time at 10 bytes/ms has passed (less a ms of timer rounding),
  // never before; a late timer only delays it. So no arrival is ahead of that schedule.
  let received = 0;
  const ahead = got.chunks.filter((c, i) => {
    received += c.length;
    return received > 10 * ((got.times[i] as number) - start + 1);
  });
  t.equal(ahead.length, 0, 'never ahead of 10 KB/s, counted from the write');
  assertTiming(t, elapsed, 440, 450, late, `4500 bytes took ${elapsed.toFixed(0)} ms`);
  const firstAt = (got.times[0] as number) - start;
  assertTiming(t, firstAt, 95, 100, late, `first piece after ${firstAt.toFixed(0)} ms`);
  t.ok(got.data().equals(payload), 'pieces join up to the original bytes');
});

t.test('bandwidth rate 0 holds data until the toxic is updated, then it flows', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  proxy.addToxic({ type: 'bandwidth', attributes: { rate: 0 } });
  const socket = await dial(t, port);
  const got = record(socket);
  const payload = randomBytes(5000);
  socket.write(payload);
  await sleep(300);
  t.equal(got.bytes, 0, 'nothing delivered at rate 0');
  const late = watchLateness(t);
  const start = performance.now();
  proxy.updateToxic('bandwidth_downstream', { attributes: { rate: 1000 } });
  const elapsed = (await got.waitForBytes(payload.length)) - start;
  assertTiming(t, elapsed, 0, 5, late, `held bytes arrived ${elapsed.toFixed(0)} ms after the update (5 at 1000 KB/s)`);
  t.ok(got.data().equals(payload), 'held bytes arrive intact');
});

t.test('bandwidth rate 0 holds data until the toxic is removed, then it flows at once', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  proxy.addToxic({ type: 'bandwidth', attributes: { rate: 0 } });
  const socket = await dial(t, port);
  const got = record(socket);
  const payload = randomBytes(5000);
  socket.write(payload);
  await sleep(300);
  t.equal(got.bytes, 0, 'nothing delivered at rate 0');
  const late = watchLateness(t);
  const start = performance.now();
  proxy.removeToxic('bandwidth_downstream');
  const elapsed = (await got.waitForBytes(payload.length)) - start;
  assertTiming(t, elapsed, 0, 0, late, `held bytes arrived ${elapsed.toFixed(0)} ms after the removal`);
  t.ok(got.data().equals(payload), 'held bytes arrive intact');
});

t.test('updating the rate on a live connection changes its throughput from then on', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  proxy.addToxic({ type: 'bandwidth', attributes: { rate: 100 } });
  const socket = await dial(t, port);
  const got = record(socket);
  const payload = randomBytes(300_000);
  const late = watchLateness(t);
  const start = performance.now();
  socket.write(payload);
  const slowAt = await got.waitForBytes(50_000);
  const slow = slowAt - start;
  assertTiming(t, slow, 490, 500, late, `first 50,000 bytes at 100 KB/s took ${slow.toFixed(0)} ms`);
  const updatedAt = performance.now();
  const left = payload.length - got.bytes;
  proxy.updateToxic('bandwidth_downstream', { attributes: { rate: 500 } });
  const fast = (await got.waitForBytes(payload.length)) - updatedAt;
  const due = left / 500;
  assertTiming(t, fast, due - 10, due, late, `remaining ${left} bytes at 500 KB/s took ${fast.toFixed(0)} ms`);
  t.ok(got.data().equals(payload), 'no byte lost, duplicated or reordered by the update');
});

t.test('bandwidth added to an already open connection throttles it', async (t) => {
  const late = watchLateness(t);
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  const socket = await dial(t, port);
  const base = await roundTrip(socket, randomBytes(3000));
  proxy.addToxic({ type: 'bandwidth', attributes: { rate: 10 } });
  const throttled = await roundTrip(socket, randomBytes(3000));
  assertTiming(t, base, 0, 50, late, `unthrottled round trip ${base.toFixed(1)} ms`);
  assertTiming(t, throttled, 290, 300, late, `3000 bytes at 10 KB/s took ${throttled.toFixed(0)} ms`);
});

t.test('bandwidth rejects a negative or fractional rate, naming the field', async (t) => {
  const { proxy } = await proxyTo(t, await echoServer(t));
  for (const rate of [-1, 1.5]) {
    t.throws(
      () => proxy.addToxic({ type: 'bandwidth', attributes: { rate } }),
      { name: 'FaultlineError', code: 'ERR_INVALID_ATTRIBUTE', field: 'attributes.rate' },
      `rate ${rate} rejected on add`,
    );
  }
  proxy.addToxic({ type: 'bandwidth', attributes: { rate: 10 } });
  t.throws(
    () => proxy.updateToxic('bandwidth_downstream', { attributes: { rate: -5 } }),
    { name: 'FaultlineError', code: 'ERR_INVALID_ATTRIBUTE', field: 'attributes.rate' },
    'rate -5 rejected on update',
  );
  t.same(proxy.toxicSet.get('bandwidth_downstream').attributes, { rate: 10 }, 'a rejected update changes nothing');
});
