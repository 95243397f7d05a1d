/**
 * The API served from its own thread (proxy/api/thread.ts): a request is answered between two
 * data-plane callbacks, not after the run of callbacks in progress. Proved by order, not by time:
 * the owner thread runs a batch of busy callbacks that all run in one check phase (no I/O poll in
 * between) while a client in another thread asks; the thread-served API answers in the middle of
 * the batch, fastify's in-loop server only after it.
 */
import { createServer } from 'node:net';
import { Worker } from 'node:worker_threads';
import t from 'tap';
import { startServer } from '../../proxy/api/server.js';
import { dataPlaneStep } from '../../proxy/scheduler.js';
import { apiServer, call } from '../helpers/api.js';

/** A client in a worker thread: waits for flag[0] (busy), GETs `url`, then sets flag[1]. */
const CLIENT = `
const { workerData } = require('node:worker_threads');
const flags = new Int32Array(workerData.flags);
Atomics.wait(flags, 0, 0);
fetch(workerData.url).then((r) => r.text()).then(() => { Atomics.store(flags, 1, 1); });
`;

/** Runs `count` busy callbacks of `ms` each in one check phase; returns the index of the first that saw the answer (or count). */
async function busyBatch(url: string, count: number, ms: number): Promise<number> {
  const flags = new Int32Array(new SharedArrayBuffer(8));
  const client = new Worker(CLIENT, { eval: true, workerData: { url, flags: flags.buffer } });
  await new Promise((resolve) => client.once('online', resolve));
  let seenAt = count;
  await new Promise<void>((resolve) => {
    for (let i = 0; i < count; i++) {
      setImmediate(() => {
        if (i === 0) Atomics.store(flags, 0, 1), Atomics.notify(flags, 0);
        if (Atomics.load(flags, 1) === 1 && seenAt === count) seenAt = i;
        // A data-plane callback: a step, then work that holds the thread.
        dataPlaneStep();
        const end = performance.now() + ms;
        while (performance.now() < end);
        if (i === count - 1) resolve();
      });
    }
  });
  // In-loop, the answer comes after the batch.
  while (Atomics.load(flags, 1) === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  await client.terminate();
  return seenAt;
}

t.test('answered between two data-plane callbacks, not after the batch in progress', async (t) => {
  const server = await apiServer(t);
  const seenAt = await busyBatch(`${server.url}/version`, 100, 10);
  t.ok(seenAt < 100, `the answer came during the batch (seen by callback ${seenAt} of 100)`);
});

t.test('in-loop (apiThread: false) the same request waits for the whole batch', async (t) => {
  const server = await apiServer(t, { apiThread: false });
  t.equal(await busyBatch(`${server.url}/version`, 20, 10), 20, 'seen only after the batch');
});

t.test('in-loop serves the same API', async (t) => {
  const server = await apiServer(t, { apiThread: false });
  t.equal((await call(server, 'POST', '/proxies', { name: 'a', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' })).status, 201);
  t.match((await call(server, 'GET', '/proxies')).json, { a: { name: 'a', enabled: true } });
});

t.test('a body sent in chunks arrives whole; one over the limit gets 413', async (t) => {
  const server = await apiServer(t, { bodyLimit: 200 });
  const chunked = (text: string): Promise<Response> =>
    fetch(`${server.url}/proxies`, {
      method: 'POST',
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < text.length; i += 10) controller.enqueue(new TextEncoder().encode(text.slice(i, i + 10)));
          controller.close();
        },
      }),
      // Node's fetch needs `duplex` for a stream body.
      duplex: 'half',
    });
  const ok = await chunked(JSON.stringify({ name: 'b', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' }));
  t.equal(ok.status, 201, await ok.text());
  const big = await chunked(JSON.stringify({ name: 'c', listen: '127.0.0.1:0', upstream: 'x'.repeat(300) }));
  t.equal(big.status, 413);
  t.match(await big.json(), { error: 'request body too large (limit 200 bytes)' });
});

t.test('a port in use fails the start with the listen error', async (t) => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => taken.close(() => resolve())));
  const { port } = taken.address() as { port: number };
  await t.rejects(startServer({ host: '127.0.0.1', port }), { code: 'EADDRINUSE', message: /EADDRINUSE/ });
});
