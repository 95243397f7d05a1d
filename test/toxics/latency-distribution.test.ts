import t from 'tap';
import { dial, echoServer, proxyTo, roundTrip } from '../helpers/net.js';
import { deriveRandom } from '../../proxy/random.js';
import { extraDelay } from '../../proxy/toxics/latency.js';
import { watchLateness } from '../helpers/lateness.js';

function sample(distribution: 'uniform' | 'normal' | 'pareto', jitter: number, n = 100_000): number[] {
  const random = deriveRandom('distribution', distribution);
  return Array.from({ length: n }, () => extraDelay(distribution, jitter, random));
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
function sd(xs: number[]): number {
  const m = mean(xs);
  return Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
}

t.test('uniform jitter stays within ±jitter with mean 0', async (t) => {
  const xs = sample('uniform', 50);
  t.ok(Math.min(...xs) >= -50 && Math.max(...xs) <= 50, 'within [-50, 50]');
  t.ok(Math.abs(mean(xs)) < 1, `mean ${mean(xs).toFixed(2)}`);
});

t.test('normal jitter has mean 0 and standard deviation jitter', async (t) => {
  const xs = sample('normal', 50);
  t.ok(Math.abs(mean(xs)) < 1, `mean ${mean(xs).toFixed(2)}`);
  t.ok(Math.abs(sd(xs) - 50) < 1.5, `standard deviation ${sd(xs).toFixed(2)}`);
});

t.test('pareto jitter is never negative, has mean jitter and a heavy tail', async (t) => {
  const xs = sample('pareto', 50);
  t.ok(Math.min(...xs) >= 0, 'never below the latency floor');
  t.ok(Math.abs(mean(xs) - 50) < 5, `mean extra ${mean(xs).toFixed(2)} ≈ 50`);
  const tail = xs.filter((x) => x >= 18 * 50).length / xs.length;
  t.ok(tail > 0.0005 && tail < 0.002, `P(extra ≥ 18 × jitter) = ${tail} ≈ 0.001`);
});

t.test('distribution is echoed only when given, and rejected when unknown', async (t) => {
  const { proxy } = await proxyTo(t, await echoServer(t));
  t.same(proxy.addToxic({ name: 'a', type: 'latency', attributes: { latency: 5 } }).attributes, { latency: 5, jitter: 0 });
  t.same(proxy.addToxic({ name: 'b', type: 'latency', attributes: { latency: 5, distribution: 'normal' } }).attributes, {
    latency: 5,
    jitter: 0,
    distribution: 'normal',
  });
  t.throws(() => proxy.addToxic({ name: 'c', type: 'latency', attributes: { distribution: 'cauchy' } }), {
    code: 'ERR_INVALID_ATTRIBUTE',
    field: 'attributes.distribution',
  });
});

t.test('a normal latency toxic delays round trips around latency on real sockets', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  proxy.addToxic({ type: 'latency', attributes: { latency: 40, jitter: 10, distribution: 'normal' } });
  const socket = await dial(t, port);
  const rtts: number[] = [];
  const late = watchLateness(t);
  for (let i = 0; i < 15; i++) rtts.push(await roundTrip(socket, `p${i}`));
  const m = mean(rtts);
  // A stall delays at most every round trip it overlaps, so the mean by at most its total over 15.
  t.ok(m > 30 && m < 55 + late.total / 15, `mean round trip ${m.toFixed(1)} ms ≈ 40 (stalls measured meanwhile: ${late.total.toFixed(0)} ms)`);
  t.ok(Math.max(...rtts) - Math.min(...rtts) > 5, 'round trips spread');
});
