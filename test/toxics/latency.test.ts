import t from 'tap';
import { assertTiming, watchLateness } from '../helpers/lateness.js';
import { dial, echoServer, proxyTo, roundTrip } from '../helpers/net.js';

t.test('latency 100 ms on the downstream grows an echo round trip by 100 ± 10 ms', async (t) => {
  const late = watchLateness(t);
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  const socket = await dial(t, port);
  let base = Infinity;
  for (let i = 0; i < 3; i++) base = Math.min(base, await roundTrip(socket, 'warm-up'));
  proxy.addToxic({ type: 'latency', attributes: { latency: 100 } });
  const delayed = await roundTrip(socket, 'hello');
  assertTiming(t, delayed - base, 99 - base, 100, late, `round trip ${delayed.toFixed(1)} ms, base ${base.toFixed(2)} ms`);
});

t.test('latency on both streams adds up over a round trip', async (t) => {
  const late = watchLateness(t);
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  proxy.addToxic({ type: 'latency', stream: 'upstream', attributes: { latency: 50 } });
  proxy.addToxic({ type: 'latency', stream: 'downstream', attributes: { latency: 50 } });
  const socket = await dial(t, port);
  const rtt = await roundTrip(socket, 'hello');
  assertTiming(t, rtt, 99, 100, late, `round trip ${rtt.toFixed(1)} ms`);
});

t.test('jitter keeps every delay within latency ± jitter and keeps chunks in order', async (t) => {
  const late = watchLateness(t);
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  proxy.addToxic({ type: 'latency', attributes: { latency: 60, jitter: 40 } });
  const socket = await dial(t, port);
  for (let i = 0; i < 10; i++) {
    const rtt = await roundTrip(socket, `ping-${i}`);
    assertTiming(t, rtt, 19, 100, late, `round trip ${i}: ${rtt.toFixed(1)} ms within 20..100`);
  }
});

t.test('removing a latency toxic releases held data at once, in order', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  proxy.addToxic({ type: 'latency', attributes: { latency: 10_000 } });
  const socket = await dial(t, port);
  const got: Buffer[] = [];
  socket.on('data', (c: Buffer) => got.push(c));
  socket.write('one-');
  socket.write('two-');
  socket.write('three');
  await new Promise((r) => setTimeout(r, 100));
  t.equal(Buffer.concat(got).length, 0, 'nothing delivered while the toxic holds it');
  const late = watchLateness(t);
  const start = performance.now();
  proxy.removeToxic('latency_downstream');
  while (Buffer.concat(got).length < 13) await new Promise((r) => setTimeout(r, 5));
  assertTiming(t, performance.now() - start, 0, 10, late, 'released promptly');
  t.equal(Buffer.concat(got).toString(), 'one-two-three');
});
