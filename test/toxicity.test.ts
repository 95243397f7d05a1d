import t from 'tap';
import { dial, echoServer, proxyTo, roundTrip, type Teardown } from './helpers/net.js';
import type { Proxy } from '../proxy/proxy.js';
import { assertTiming, watchLateness } from './helpers/lateness.js';

/** Opens `count` connections one after another and returns, per connection, whether `toxic` is active on it. */
async function selection(t: Teardown, proxy: Proxy, port: number, count: number, toxic: string): Promise<boolean[]> {
  for (let i = 0; i < count; i++) {
    const socket = await dial(t, port);
    await roundTrip(socket, 'x');
  }
  return proxy.connections.map((c) => Boolean(c.down?.activeToxics.includes(toxic)));
}

t.test('toxicity 0 never applies the toxic and toxicity 1 always does', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  proxy.addToxic({ name: 'never', type: 'latency', toxicity: 0, attributes: { latency: 300 } });
  const late = watchLateness(t);
  const fast = await roundTrip(await dial(t, port), 'x');
  assertTiming(t, fast, 0, 50, late, 'toxicity 0: no latency of 300 ms');
  proxy.removeToxic('never');
  proxy.addToxic({ name: 'always', type: 'latency', toxicity: 1, attributes: { latency: 150 } });
  const slow = await roundTrip(await dial(t, port), 'x');
  t.ok(slow >= 149, `toxicity 1: round trip ${slow.toFixed(1)} ms, latency applied`);
});

t.test('toxicity 0.5 selects about half of the connections', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t), { seed: 'half' });
  proxy.addToxic({ name: 'half', type: 'noop', toxicity: 0.5 });
  const picked = await selection(t, proxy, port, 60, 'half');
  const n = picked.filter(Boolean).length;
  t.ok(n >= 15 && n <= 45, `${n} of 60 connections selected (binomial, 60 × 0.5 ± 4σ)`);
});

t.test('the same seed selects the same connections; another seed selects others', async (t) => {
  const runs: string[] = [];
  for (const seed of ['alpha', 'alpha', 'beta']) {
    const { proxy, port } = await proxyTo(t, await echoServer(t), { seed });
    proxy.addToxic({ name: 'coin', type: 'noop', toxicity: 0.5 });
    runs.push((await selection(t, proxy, port, 24, 'coin')).map((b) => (b ? '1' : '0')).join(''));
  }
  t.equal(runs[0], runs[1], `seed alpha twice: ${runs[0]}`);
  t.not(runs[0], runs[2], `seed beta differs: ${runs[2]}`);
});

t.test('raising toxicity on live connections keeps the ones already selected and adds more', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t), { seed: 'raise' });
  proxy.addToxic({ name: 'coin', type: 'noop', toxicity: 0.3 });
  const before = await selection(t, proxy, port, 30, 'coin');
  proxy.updateToxic('coin', { toxicity: 0.7 });
  const after = proxy.connections.map((c) => Boolean(c.down?.activeToxics.includes('coin')));
  t.ok(before.every((b, i) => !b || after[i]), 'every connection selected at 0.3 is still selected at 0.7');
  t.ok(after.filter(Boolean).length > before.filter(Boolean).length, 'more connections are selected');
  proxy.updateToxic('coin', { toxicity: 0 });
  t.ok(
    proxy.connections.every((c) => !c.down?.activeToxics.includes('coin')),
    'toxicity 0 takes it off every live link',
  );
});
