import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { assertTiming, watchLateness } from '../helpers/lateness.js';
import { dial, echoServer, proxyTo, record, roundTrip } from '../helpers/net.js';

t.test('timeout discards data and closes the connection timeout ms after the last data', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  proxy.addToxic({ type: 'timeout', attributes: { timeout: 200 } });
  const socket = await dial(t, port);
  const got = record(socket);
  const late = watchLateness(t);
  const start = performance.now();
  socket.write('hello');
  const ending = await got.ended;
  const after = ending.at - start;
  t.equal(ending.how, 'end', 'the client sees the connection end');
  assertTiming(t, after, 195, 200, late, `closed ${after.toFixed(0)} ms after the last data`);
  t.equal(got.bytes, 0, 'no byte delivered');
});

t.test('timeout is held off by steady traffic, then closes timeout ms after it stops', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  proxy.addToxic({ type: 'timeout', attributes: { timeout: 300 } });
  const socket = await dial(t, port);
  const got = record(socket);
  const late = watchLateness(t);
  const start = performance.now();
  let lastWrite = start;
  for (let i = 0; i < 12; i++) {
    socket.write(`tick-${i}`);
    lastWrite = performance.now();
    await sleep(50);
  }
  t.equal(got.ending, undefined, `still open ${(performance.now() - start).toFixed(0)} ms in, past twice the timeout`);
  const ending = await got.ended;
  const after = ending.at - lastWrite;
  t.equal(ending.how, 'end', 'the client sees the connection end');
  assertTiming(t, after, 295, 300, late, `closed ${after.toFixed(0)} ms after the last write`);
  t.equal(got.bytes, 0, 'no byte delivered');
});

t.test('timeout 0 holds the connection open and delivers nothing; removing the toxic closes it', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  proxy.addToxic({ type: 'timeout', attributes: { timeout: 0 } });
  const socket = await dial(t, port);
  const got = record(socket);
  socket.write('hello');
  await sleep(300);
  t.equal(got.bytes, 0, 'no byte delivered');
  t.equal(got.ending, undefined, 'the connection is still open');
  const late = watchLateness(t);
  const removedAt = performance.now();
  proxy.removeToxic('timeout_downstream');
  const ending = await got.ended;
  t.ok(ending.how === 'end' || ending.how === 'close', `the client sees the connection ${ending.how}`);
  assertTiming(t, ending.at - removedAt, 0, 0, late, `closed ${(ending.at - removedAt).toFixed(1)} ms after the removal`);
  t.equal(got.bytes, 0, 'the discarded data never arrives');
});

t.test('timeout added to an already open connection discards its data and closes it', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  const socket = await dial(t, port);
  await roundTrip(socket, 'warm-up');
  proxy.addToxic({ type: 'timeout', attributes: { timeout: 100 } });
  const got = record(socket);
  const late = watchLateness(t);
  const start = performance.now();
  socket.write('hello');
  const ending = await got.ended;
  const after = ending.at - start;
  t.equal(ending.how, 'end', 'the client sees the connection end');
  assertTiming(t, after, 95, 100, late, `closed ${after.toFixed(0)} ms after the last data`);
  t.equal(got.bytes, 0, 'no byte delivered');
});

t.test('timeout rejects a negative or fractional timeout, naming the field', async (t) => {
  const { proxy } = await proxyTo(t, await echoServer(t));
  for (const timeout of [-1, 99.9]) {
    t.throws(
      () => proxy.addToxic({ type: 'timeout', attributes: { timeout } }),
      { name: 'FaultlineError', code: 'ERR_INVALID_ATTRIBUTE', field: 'attributes.timeout' },
      `timeout ${timeout} rejected`,
    );
  }
});
