import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Socket } from 'node:net';
import t from 'tap';
import { assertTiming, watchLateness } from '../helpers/lateness.js';
import { dial, proxyTo, record, roundTrip, sinkServer, type Teardown } from '../helpers/net.js';

/** An upstream that echoes, except that `close` makes it send `bye` and end; records when it ended. */
async function closingServer(t: Teardown): Promise<{ port: number; endedAt: () => number }> {
  let endedAt = NaN;
  const port = await sinkServer(t, (s: Socket) => {
    s.on('data', (d: Buffer) => {
      if (d.toString() !== 'close') {
        s.write(d);
        return;
      }
      endedAt = performance.now();
      s.end('bye');
    });
  });
  return { port, endedAt: () => endedAt };
}

t.test('slow_close delays the FIN by delay ms after the upstream closes; data before it arrives at once', async (t) => {
  const late = watchLateness(t);
  const upstream = await closingServer(t);
  const { proxy, port } = await proxyTo(t, upstream.port);
  proxy.addToxic({ type: 'slow_close', attributes: { delay: 300 } });
  const socket = await dial(t, port);
  const got = record(socket);
  socket.write('close');
  const dataAt = (await got.waitForBytes(3)) - upstream.endedAt();
  const ending = await got.ended;
  const finAfter = ending.at - upstream.endedAt();
  t.equal(got.data().toString(), 'bye', 'data sent before the close arrives');
  assertTiming(t, dataAt, 0, 0, late, `data arrived ${dataAt.toFixed(1)} ms after the upstream sent it`);
  t.equal(ending.how, 'end', 'the client sees an orderly end (FIN)');
  assertTiming(t, finAfter, 295, 300, late, `FIN arrived ${finAfter.toFixed(0)} ms after the upstream closed`);
});

t.test('slow_close passes data through unchanged and at once while the stream is open', async (t) => {
  const upstream = await closingServer(t);
  const { proxy, port } = await proxyTo(t, upstream.port);
  proxy.addToxic({ type: 'slow_close', attributes: { delay: 300 } });
  const socket = await dial(t, port);
  const got = record(socket);
  const payload = randomBytes(50_000);
  const late = watchLateness(t);
  const start = performance.now();
  socket.write(payload);
  const elapsed = (await got.waitForBytes(payload.length)) - start;
  t.ok(got.data().equals(payload), 'echo intact');
  assertTiming(t, elapsed, 0, 0, late, `echo took ${elapsed.toFixed(1)} ms`);
});

t.test('slow_close added to an already open connection delays its FIN', async (t) => {
  const late = watchLateness(t);
  const upstream = await closingServer(t);
  const { proxy, port } = await proxyTo(t, upstream.port);
  const socket = await dial(t, port);
  await roundTrip(socket, 'warm-up');
  proxy.addToxic({ type: 'slow_close', attributes: { delay: 200 } });
  const got = record(socket);
  socket.write('close');
  const ending = await got.ended;
  const finAfter = ending.at - upstream.endedAt();
  t.equal(ending.how, 'end', 'the client sees an orderly end (FIN)');
  assertTiming(t, finAfter, 195, 200, late, `FIN arrived ${finAfter.toFixed(0)} ms after the upstream closed`);
});

t.test('removing slow_close while a FIN is held passes it on at once', async (t) => {
  const upstream = await closingServer(t);
  const { proxy, port } = await proxyTo(t, upstream.port);
  proxy.addToxic({ type: 'slow_close', attributes: { delay: 10_000 } });
  const socket = await dial(t, port);
  const got = record(socket);
  socket.write('close');
  await got.waitForBytes(3);
  await sleep(100);
  t.equal(got.ending, undefined, 'the FIN is held');
  const late = watchLateness(t);
  const removedAt = performance.now();
  proxy.removeToxic('slow_close_downstream');
  const ending = await got.ended;
  t.equal(ending.how, 'end', 'the client sees an orderly end (FIN)');
  assertTiming(t, ending.at - removedAt, 0, 0, late, `FIN arrived ${(ending.at - removedAt).toFixed(1)} ms after the removal`);
});

t.test('slow_close rejects a negative or fractional delay, naming the field', async (t) => {
  const { proxy } = await proxyTo(t, (await closingServer(t)).port);
  for (const delay of [-1, 2.5]) {
    t.throws(
      () => proxy.addToxic({ type: 'slow_close', attributes: { delay } }),
      { name: 'FaultlineError', code: 'ERR_INVALID_ATTRIBUTE', field: 'attributes.delay' },
      `delay ${delay} rejected`,
    );
  }
});
