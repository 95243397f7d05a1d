import { connect } from 'node:net';
import t from 'tap';
import { echoServer, eventually, outcome, proxyTo, readBytes } from '../helpers/net.js';
import { deriveRandom } from '../../proxy/random.js';
import { step } from '../../proxy/toxics/flaky.js';

const attrs = (rate: number, burst_rate = 0, burst_length = 1) =>
  ({ rate, action: 'reset', burst_rate, burst_length }) as const;

/** Trip pattern of `n` chunks through one chain. */
function trips(n: number, a: ReturnType<typeof attrs>, seed: string): boolean[] {
  const chain = { inBurst: false };
  const random = deriveRandom(seed, 'flaky');
  return Array.from({ length: n }, () => step(chain, a, random));
}

/** Mean length of runs of consecutive trips. */
function meanRun(pattern: boolean[]): number {
  const runs: number[] = [];
  let run = 0;
  for (const tripped of [...pattern, false]) {
    if (tripped) run++;
    else if (run > 0) {
      runs.push(run);
      run = 0;
    }
  }
  return runs.reduce((a, b) => a + b, 0) / runs.length;
}

t.test('independent trips over 10,000 chunks happen at rate within 4 standard deviations', async (t) => {
  for (const rate of [0.05, 0.3, 0.5]) {
    const n = trips(10_000, attrs(rate), `rate-${rate}`).filter(Boolean).length;
    const sd = Math.sqrt(10_000 * rate * (1 - rate));
    t.ok(Math.abs(n - 10_000 * rate) < 4 * sd, `rate ${rate}: ${n} trips of 10,000`);
  }
});

t.test('the same seed trips at the same chunks; another seed at others', async (t) => {
  const pattern = (seed: string): string =>
    trips(10_000, attrs(0.3, 0.02, 8), seed)
      .map((b) => (b ? 'x' : '.'))
      .join('');
  t.ok(pattern('same') === pattern('same'), 'identical trip positions');
  t.ok(pattern('same') !== pattern('other'), 'a different seed differs');
});

t.test('bursts give runs of trips longer than independent trips at the same overall rate', async (t) => {
  // 100,000 chunks (about 1,700 bursts) so the mean burst length is within ±1 of its expectation.
  const bursty = trips(100_000, attrs(0, 0.02, 10), 'burst');
  const rate = bursty.filter(Boolean).length / bursty.length;
  const independent = trips(100_000, attrs(rate), 'independent');
  const burstRun = meanRun(bursty);
  const independentRun = meanRun(independent);
  t.ok(burstRun > 3 * independentRun, `mean run ${burstRun.toFixed(2)} chunks vs ${independentRun.toFixed(2)} (rate ${rate.toFixed(3)})`);
  t.ok(burstRun > 9 && burstRun < 11, `mean burst ≈ burst_length 10 (got ${burstRun.toFixed(2)})`);
});

/** Opens `n` connections one after another, one 8-byte chunk each; returns which were reset. */
async function resetPattern(port: number, n: number): Promise<string> {
  let pattern = '';
  for (let i = 0; i < n; i++) {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise((r) => socket.once('connect', r));
    const result = Promise.race([readBytes(socket, 8).then(() => 'echo'), outcome(socket)]);
    socket.write('12345678');
    const how = await result;
    pattern += how === 'echo' ? '.' : 'x';
    socket.destroy();
  }
  return pattern;
}

t.test('on real sockets, flaky with action reset resets about rate of the connections, reproducibly', async (t) => {
  const patterns: string[] = [];
  for (const seed of ['s1', 's1']) {
    const { proxy, port } = await proxyTo(t, await echoServer(t), { seed });
    proxy.addToxic({ type: 'flaky', stream: 'upstream', attributes: { rate: 0.3, action: 'reset' } });
    patterns.push(await resetPattern(port, 200));
  }
  const resets = [...(patterns[0] as string)].filter((c) => c === 'x').length;
  t.ok(resets > 200 * 0.3 - 4 * Math.sqrt(200 * 0.21) && resets < 200 * 0.3 + 4 * Math.sqrt(200 * 0.21), `${resets} of 200 reset`);
  t.equal(patterns[0], patterns[1], 'the same seed resets the same connections');
});

t.test('flaky with action blackhole silences a tripped connection and leaves others working', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  proxy.addToxic({ type: 'flaky', stream: 'upstream', attributes: { rate: 1, action: 'blackhole' } });
  const socket = connect({ host: '127.0.0.1', port });
  await new Promise((r) => socket.once('connect', r));
  let got = 0;
  socket.on('data', (c: Buffer) => (got += c.length));
  socket.write('first');
  await new Promise((r) => setTimeout(r, 100));
  proxy.updateToxic('flaky_upstream', { attributes: { rate: 0 } });
  socket.write('second');
  await eventually(() => got >= 6);
  t.equal(got, 6, 'after the update the connection carries data again (the tripped chunk is gone)');
  socket.destroy();
});

t.test('flaky rejects bad attributes naming the field', async (t) => {
  const { proxy } = await proxyTo(t, await echoServer(t));
  for (const [attributes, field] of [
    [{ rate: 1.5 }, 'attributes.rate'],
    [{ action: 'explode' }, 'attributes.action'],
    [{ burst_length: 0 }, 'attributes.burst_length'],
    [{ burst_rate: -0.1 }, 'attributes.burst_rate'],
  ] as const) {
    t.throws(() => proxy.addToxic({ type: 'flaky', attributes }), { code: 'ERR_INVALID_ATTRIBUTE', field }, field);
  }
});
