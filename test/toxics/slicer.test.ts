import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import t from 'tap';
import { deriveRandom } from '../../proxy/random.js';
import { sliceBounds } from '../../proxy/toxics/slicer.js';
import { assertTiming, watchLateness } from '../helpers/lateness.js';
import { dial, echoServer, proxyTo, record, roundTrip } from '../helpers/net.js';

/** The smallest piece sliceBounds can cut when a chunk must be split (halving ± variation). */
function smallestPiece(average: number, variation: number): number {
  return Math.max(1, Math.floor((average + variation + 1) / 2) - variation);
}

t.test('sliceBounds cuts a chunk into increasing bounds from 0 to its length, pieces within average ± variation', async (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 70_000 }),
      fc.integer({ min: 1, max: 5000 }),
      fc.integer({ min: 0, max: 2000 }),
      fc.string(),
      (length, average, variation, seed) => {
        const bounds = sliceBounds(length, average, variation, deriveRandom(seed, 'slicer'));
        if (bounds[0] !== 0 || bounds[bounds.length - 1] !== length) return false;
        if (length === 0) return bounds.length === 1;
        const pieces = bounds.slice(1).map((b, i) => b - (bounds[i] as number));
        if (pieces.some((p) => p <= 0 || p > average + variation)) return false;
        if (length <= average + variation) return pieces.length === 1;
        return pieces.every((p) => p >= smallestPiece(average, variation));
      },
    ),
  );
  t.pass('bounds cover every chunk exactly, strictly increasing, each piece in range');
});

t.test('sliceBounds without variation halves a chunk down to the average size', async (t) => {
  const never = (): number => {
    throw new Error('no random draw without variation');
  };
  t.same(sliceBounds(800, 100, 0, never), [0, 100, 200, 300, 400, 500, 600, 700, 800]);
  t.same(sliceBounds(100, 100, 0, never), [0, 100], 'a chunk of the average size stays whole');
  t.same(sliceBounds(0, 100, 0, never), [0], 'an empty chunk has no pieces');
});

t.test('sliceBounds pieces of large chunks average between half and all of average + variation', async (t) => {
  const random = deriveRandom('test', 'slicer-mean');
  const sizes: number[] = [];
  for (let i = 0; i < 50; i++) {
    const bounds = sliceBounds(32_768, 200, 50, random);
    for (let j = 1; j < bounds.length; j++) sizes.push((bounds[j] as number) - (bounds[j - 1] as number));
  }
  const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
  t.ok(mean >= 125 && mean <= 250, `mean piece ${mean.toFixed(1)} bytes for average 200 ± 50`);
  t.ok(Math.max(...sizes) <= 250 && Math.min(...sizes) >= smallestPiece(200, 50), 'every piece within bounds');
});

t.test('slicer delivers data intact and in order', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  proxy.addToxic({ type: 'slicer', attributes: { average_size: 100, size_variation: 50 } });
  const socket = await dial(t, port);
  const got = record(socket);
  const payload = randomBytes(200_000);
  socket.write(payload);
  await got.waitForBytes(payload.length);
  t.ok(got.data().equals(payload), 'every byte arrives once, in order');
});

t.test('slicer with a delay delivers a chunk as several pieces, delay apart', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  proxy.addToxic({ type: 'slicer', attributes: { average_size: 100, size_variation: 0, delay: 20_000 } });
  const socket = await dial(t, port);
  const got = record(socket);
  const payload = randomBytes(800);
  const late = watchLateness(t);
  const start = performance.now();
  socket.write(payload);
  const elapsed = (await got.waitForBytes(payload.length)) - start;
  const sizes = got.chunks.map((c) => c.length);
  t.ok(sizes.length >= 3, `arrived in ${sizes.length} 'data' events: ${sizes.join(', ')}`);
  t.ok(sizes.every((s) => s % 100 === 0), 'every event carries whole 100-byte pieces');
  // Piece k (from 0) may leave 20·k ms after the write, less a ms of timer rounding, never before.
  let received = 0;
  const ahead = got.chunks.filter((c, i) => {
    received += c.length;
    return received > 100 * (Math.floor(((got.times[i] as number) - start + 1) / 20) + 1);
  });
  t.equal(ahead.length, 0, 'never more than one 100-byte piece per 20 ms');
  assertTiming(t, elapsed, 138, 140, late, `8 pieces 20 ms apart took ${elapsed.toFixed(0)} ms`);
  t.ok(got.data().equals(payload), 'pieces join up to the original bytes');
});

t.test('slicer added to an already open connection slices its data', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  const socket = await dial(t, port);
  await roundTrip(socket, 'warm-up');
  proxy.addToxic({ type: 'slicer', attributes: { average_size: 100, delay: 20_000 } });
  const got = record(socket);
  const payload = randomBytes(800);
  socket.write(payload);
  await got.waitForBytes(payload.length);
  t.ok(got.chunks.length >= 3, `arrived in ${got.chunks.length} 'data' events`);
  t.ok(got.data().equals(payload), 'data intact');
});

t.test('slicer rejects average_size 0, negative and fractional values, naming the field', async (t) => {
  const { proxy } = await proxyTo(t, await echoServer(t));
  const cases: Array<[Record<string, number>, string]> = [
    [{ average_size: 0 }, 'attributes.average_size'],
    [{ average_size: -1 }, 'attributes.average_size'],
    [{ average_size: 10.5 }, 'attributes.average_size'],
    [{ average_size: 10, size_variation: -1 }, 'attributes.size_variation'],
    [{ average_size: 10, size_variation: 0.5 }, 'attributes.size_variation'],
    [{ average_size: 10, delay: -1 }, 'attributes.delay'],
    [{ average_size: 10, delay: 1.5 }, 'attributes.delay'],
  ];
  for (const [attributes, field] of cases) {
    t.throws(
      () => proxy.addToxic({ type: 'slicer', attributes }),
      { name: 'FaultlineError', code: 'ERR_INVALID_ATTRIBUTE', field },
      `${JSON.stringify(attributes)} rejected`,
    );
  }
  proxy.addToxic({ type: 'slicer', attributes: { average_size: 10 } });
  t.throws(
    () => proxy.updateToxic('slicer_downstream', { attributes: { average_size: 0 } }),
    { name: 'FaultlineError', code: 'ERR_INVALID_ATTRIBUTE', field: 'attributes.average_size' },
    'average_size 0 rejected on update',
  );
});
