import type { Socket } from 'node:net';
import t from 'tap';
import { dial, proxyTo, sinkServer, type Teardown } from './helpers/net.js';
import type { Proxy } from '../proxy/proxy.js';
import type { ToxicInput } from '../proxy/toxic-set.js';

const BOUND = 1024 * 1024;
const ONE_READ = 64 * 1024;
const ATTEMPT = 256 * 1024 * 1024;

/** Writes up to `total` bytes as fast as the socket takes them, for `ms`; returns what it wrote. */
async function produce(socket: Socket, total: number, ms: number): Promise<number> {
  const block = Buffer.alloc(64 * 1024, 7);
  const until = performance.now() + ms;
  let written = 0;
  while (written < total && performance.now() < until) {
    written += block.length;
    if (!socket.write(block)) {
      await Promise.race([
        new Promise((r) => socket.once('drain', r)),
        new Promise((r) => setTimeout(r, until - performance.now())),
      ]);
    }
  }
  return written;
}

async function fastProducerInto(
  t: Teardown,
  toxic: ToxicInput | undefined,
  onUpstream?: (s: Socket) => void,
): Promise<{ maxHeld: number; proxy: Proxy }> {
  const { proxy, port } = await proxyTo(t, await sinkServer(t, onUpstream));
  if (toxic) proxy.addToxic(toxic);
  const socket = await dial(t, port);
  let maxHeld = 0;
  const sampler = setInterval(() => {
    for (const c of proxy.connections) maxHeld = Math.max(maxHeld, c.up?.held ?? 0);
  }, 20);
  await produce(socket, ATTEMPT, 2500);
  clearInterval(sampler);
  socket.destroy();
  return { maxHeld, proxy };
}

t.test(`a fast producer into a 1 MB/s bandwidth toxic keeps the link under ${BOUND} + one read`, async (t) => {
  const { maxHeld } = await fastProducerInto(t, { type: 'bandwidth', stream: 'upstream', attributes: { rate: 1000 } });
  t.ok(maxHeld > BOUND / 2, `the toxic did fill up (${maxHeld} bytes held at most)`);
  t.ok(maxHeld <= BOUND + ONE_READ, `held at most ${maxHeld} bytes`);
});

t.test('a fast producer into a 1 s latency toxic keeps the link under the bound', async (t) => {
  const { maxHeld } = await fastProducerInto(t, { type: 'latency', stream: 'upstream', attributes: { latency: 1000 } });
  t.ok(maxHeld > BOUND / 2, `the toxic did fill up (${maxHeld} bytes held at most)`);
  t.ok(maxHeld <= BOUND + ONE_READ, `held at most ${maxHeld} bytes`);
});

t.test('a fast producer into a server that never reads keeps the link under the bound', async (t) => {
  const { maxHeld } = await fastProducerInto(t, undefined, (s) => s.pause());
  t.ok(maxHeld <= BOUND + ONE_READ, `held at most ${maxHeld} bytes`);
});

t.test('a fast producer into a slow toxic chain does not grow the heap', async (t) => {
  globalThis.gc?.();
  const before = process.memoryUsage();
  await fastProducerInto(t, { type: 'bandwidth', stream: 'upstream', attributes: { rate: 1000 } });
  const after = process.memoryUsage();
  const grew = after.arrayBuffers + after.heapUsed - (before.arrayBuffers + before.heapUsed);
  t.ok(grew < 64 * 1024 * 1024, `heap + buffers grew by ${(grew / 1048576).toFixed(1)} MiB while 256 MiB were offered`);
});
