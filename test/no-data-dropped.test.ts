import { createHash } from 'node:crypto';
import t from 'tap';
import { dial, echoServer, proxyTo } from './helpers/net.js';
import type { Proxy } from '../proxy/proxy.js';
import { deriveRandom } from '../proxy/random.js';

const TOTAL = 32 * 1024 * 1024;
const BLOCK = 16 * 1024;

/** Sequence-numbered data: every 4-byte word is its own index, so loss, duplication and reordering all show. */
function block(index: number): Buffer {
  const buf = Buffer.allocUnsafe(BLOCK);
  const first = (index * BLOCK) / 4;
  for (let i = 0; i < BLOCK / 4; i++) buf.writeUInt32LE((first + i) >>> 0, i * 4);
  return buf;
}

/** Adds, updates and removes toxics that must not lose data, at random, on both streams. */
function churn(proxy: Proxy, random: () => number): { change(): void; stop(): number } {
  const kinds = [
    { type: 'latency', attributes: () => ({ latency: Math.floor(random() * 5), jitter: Math.floor(random() * 3) }) },
    { type: 'bandwidth', attributes: () => ({ rate: 50_000 + Math.floor(random() * 50_000) }) },
    { type: 'slicer', attributes: () => ({ average_size: 4096 + Math.floor(random() * 8192), size_variation: 1024, delay: 0 }) },
    { type: 'noop', attributes: () => ({}) },
    { type: 'slow_close', attributes: () => ({ delay: 1 }) },
  ];
  let changes = 0;
  const change = (): void => {
    const kind = kinds[Math.floor(random() * kinds.length)]!;
    const stream = random() < 0.5 ? 'upstream' : 'downstream';
    const name = `${kind.type}_${stream}`;
    const exists = proxy.toxicSet.list().some((x) => x.name === name);
    if (!exists) proxy.addToxic({ type: kind.type, stream, attributes: kind.attributes(), toxicity: random() < 0.8 ? 1 : 0.5 });
    else if (random() < 0.5) proxy.updateToxic(name, { attributes: kind.attributes(), toxicity: random() < 0.8 ? 1 : 0.5 });
    else proxy.removeToxic(name);
    changes++;
  };
  const timer = setInterval(change, 5);
  return {
    change,
    stop: () => {
      clearInterval(timer);
      return changes;
    },
  };
}

t.test('32 MiB echoed through toxics added, updated and removed 100+ times arrives whole and in order', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  const socket = await dial(t, port);
  const toxics = churn(proxy, deriveRandom('no-data-dropped', 'churn'));

  const sent = createHash('sha256');
  const received = createHash('sha256');
  let receivedBytes = 0;
  let expectedWord = 0;
  let carry = Buffer.alloc(0);
  let firstBad = -1;
  let maxHeld = 0;
  const done = new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      received.update(chunk);
      // A change between two reads of every 192 KiB, on top of the timer's, so churn tracks the data.
      if (Math.floor((receivedBytes + chunk.length) / 196_608) > Math.floor(receivedBytes / 196_608)) toxics.change();
      receivedBytes += chunk.length;
      for (const c of proxy.connections) maxHeld = Math.max(maxHeld, c.up?.held ?? 0, c.down?.held ?? 0);
      const data = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      const whole = data.length - (data.length % 4);
      for (let i = 0; i < whole && firstBad < 0; i += 4) {
        if (data.readUInt32LE(i) !== expectedWord >>> 0) firstBad = expectedWord;
        expectedWord++;
      }
      carry = Buffer.from(data.subarray(whole));
    });
    socket.once('end', resolve);
    socket.once('error', reject);
  });

  for (let i = 0; i < TOTAL / BLOCK; i++) {
    const data = block(i);
    sent.update(data);
    if (!socket.write(data)) await new Promise((r) => socket.once('drain', r));
  }
  socket.end();
  await done;
  const changes = toxics.stop();

  t.ok(changes >= 100, `${changes} toxic changes happened during the stream`);
  t.ok(maxHeld > 0, `toxics held up to ${maxHeld} bytes in flight while they changed`);
  t.equal(receivedBytes, TOTAL, 'every byte came back');
  t.equal(firstBad, -1, 'every sequence number arrived in order');
  t.equal(received.digest('hex'), sent.digest('hex'), 'sha256 of what came back equals what was sent');
});
