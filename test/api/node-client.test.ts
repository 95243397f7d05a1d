import { connect } from 'node:net';
import t from 'tap';
import {
  Toxiproxy,
  type Bandwidth,
  type Latency,
  type Proxy,
  type Slicer,
  type Slowclose,
  type Timeout,
  type ToxicType,
} from 'toxiproxy-node-client';
import type { RunningServer } from '../../proxy/api/server.js';
import { apiServer } from '../helpers/api.js';
import { dial, echoServer, portOf, readBytes, record, type Teardown } from '../helpers/net.js';
import { assertTiming, watchLateness } from '../helpers/lateness.js';

/** A server, a client for it, and an echo upstream. */
async function setup(t: Teardown): Promise<{ server: RunningServer; client: Toxiproxy; upstream: string }> {
  const server = await apiServer(t);
  return { server, client: new Toxiproxy(server.url), upstream: `127.0.0.1:${await echoServer(t)}` };
}

/** Creates proxy `name` with the client, listening on a free port. */
function createProxy(client: Toxiproxy, name: string, upstream: string): Promise<Proxy> {
  return client.createProxy({ name, listen: '127.0.0.1:0', upstream });
}

/** Time for `size` bytes to come back through a new connection to `port`, in ms. */
async function echoTime(t: Teardown, port: number, size = 10): Promise<number> {
  const socket = await dial(t, port);
  const start = performance.now();
  const reply = readBytes(socket, size);
  socket.write(Buffer.alloc(size, 7));
  await reply;
  socket.destroy();
  return performance.now() - start;
}

/** How a connection attempt to 127.0.0.1:port goes: 'connect' or the error code. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connect');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

/** Sends `data` through a new connection to `port` and records what comes back until the connection ends. */
async function exchange(t: Teardown, port: number, data: Buffer | string, end = false): Promise<ReturnType<typeof record>> {
  const socket = await dial(t, port);
  const got = record(socket);
  socket.write(data);
  if (end) socket.end();
  return got;
}

t.test('getVersion returns the raw version body', async (t) => {
  const { client } = await setup(t);
  const text = await client.getVersion();
  t.match(JSON.parse(text), { version: '2.12.0' });
});

t.test('createProxy, get, getAll, update, remove drive real listeners', async (t) => {
  const late = watchLateness(t);
  const { client, upstream } = await setup(t);
  const proxy = await createProxy(client, 'echo', upstream);
  t.match(proxy, { name: 'echo', upstream, enabled: true });
  const port = portOf(proxy.listen);
  t.ok(port > 0, `listening on ${proxy.listen}`);
  assertTiming(t, await echoTime(t, port), 0, 20, late, 'data flows');

  t.same((await client.get('echo')).toJson(), proxy.toJson());
  const all = await client.getAll();
  t.same(Object.keys(all), ['echo']);
  t.equal(all['echo']?.listen, proxy.listen);

  const disabled = await proxy.update({ enabled: false, listen: proxy.listen, upstream });
  t.equal(disabled.enabled, false);
  t.equal(await tryConnect(port), 'ECONNREFUSED', 'a disabled proxy refuses connections');
  const enabled = await disabled.update({ enabled: true, listen: proxy.listen, upstream });
  t.equal(enabled.listen, proxy.listen, 'same address after re-enabling');
  assertTiming(t, await echoTime(t, port), 0, 20, late, 'data flows again');

  await enabled.remove();
  t.equal(await tryConnect(port), 'ECONNREFUSED', 'a removed proxy refuses connections');
  await t.rejects(client.get('echo'), { message: 'Request failed with status code 404' });
  await t.rejects(enabled.remove(), { message: 'Request failed with status code 404' });
});

t.test('createProxy reports conflicts and bad input through ToxiproxyError', async (t) => {
  const { client, upstream } = await setup(t);
  await createProxy(client, 'p', upstream);
  await t.rejects(createProxy(client, 'p', upstream), { message: 'Request failed with status code 409' });
  await t.rejects(client.createProxy({ name: '', listen: '127.0.0.1:0', upstream }), {
    message: 'Request failed with status code 400',
  });
});

t.test('populate returns a map of usable proxies; reset re-enables them and clears toxics', async (t) => {
  const late = watchLateness(t);
  const { client, upstream } = await setup(t);
  const proxies = await client.populate([
    { name: 'one', listen: '127.0.0.1:0', upstream },
    { name: 'two', listen: '127.0.0.1:0', upstream, enabled: false },
  ]);
  t.same(Object.keys(proxies).sort(), ['one', 'two']);
  const one = proxies['one'] as Proxy;
  t.equal(proxies['two']?.enabled, false);
  t.same(await client.populate([]), {}, 'an empty populate works (Toxiproxy would answer null and break this client)');

  await one.addToxic<Latency>({ name: 'slow', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 1000, jitter: 0 } });
  await one.update({ enabled: false, listen: one.listen, upstream });
  await client.reset();
  const after = await client.getAll();
  t.equal(after['one']?.enabled, true, 'reset re-enables');
  t.equal(after['two']?.enabled, true);
  assertTiming(t, await echoTime(t, portOf(one.listen)), 0, 20, late, 'and removes the latency toxic (1000 ms)');
  await t.rejects(one.getToxic('slow'), { message: 'Request failed with status code 404' });
});

t.test('latency: addToxic slows an echo, update changes the delay, remove restores it', async (t) => {
  const late = watchLateness(t);
  const { client, upstream } = await setup(t);
  const proxy = await createProxy(client, 'p', upstream);
  const port = portOf(proxy.listen);
  const toxic = await proxy.addToxic<Latency>({
    name: 'lat',
    type: 'latency',
    stream: 'downstream',
    toxicity: 1,
    attributes: { latency: 400, jitter: 0 },
  });
  t.same(toxic.toJson(), { name: 'lat', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 400, jitter: 0 } });
  const slow = await echoTime(t, port);
  t.ok(slow >= 399, `echo takes ${slow.toFixed(0)} ms with 400 ms latency`);
  const fetched = await proxy.getToxic<Latency>('lat');
  t.same(fetched.attributes, { latency: 400, jitter: 0 });
  const updated = await fetched.update({ ...fetched.toJson(), attributes: { latency: 150, jitter: 0 } });
  t.same(updated.attributes, { latency: 150, jitter: 0 });
  const faster = await echoTime(t, port);
  assertTiming(t, faster, 149, 150, late, 'echo after the update to 150 ms');
  await updated.remove();
  const none = await echoTime(t, port);
  assertTiming(t, none, 0, 20, late, 'echo once the toxic is removed');
  await t.rejects(proxy.getToxic('lat'), { message: 'Request failed with status code 404' });
});

t.test('bandwidth: a low rate slows a transfer, raising it speeds it up', async (t) => {
  const { client, upstream } = await setup(t);
  const proxy = await createProxy(client, 'p', upstream);
  const port = portOf(proxy.listen);
  const toxic = await proxy.addToxic<Bandwidth>({ name: 'bw', type: 'bandwidth', stream: 'downstream', toxicity: 1, attributes: { rate: 20 } });
  const slow = await echoTime(t, port, 10_000);
  t.ok(slow >= 400, `10000 bytes at 20 KB/s take ${slow.toFixed(0)} ms`);
  const updated = await (await proxy.getToxic<Bandwidth>('bw')).update({ ...toxic.toJson(), attributes: { rate: 100_000 } });
  t.equal(updated.attributes.rate, 100_000);
  const fast = await echoTime(t, port, 10_000);
  t.ok(fast < slow / 2, `and ${fast.toFixed(0)} ms at 100 MB/s`);
  await updated.remove();
});

t.test('slow_close: the close reaches the client only after the delay', async (t) => {
  const late = watchLateness(t);
  const { client, upstream } = await setup(t);
  const proxy = await createProxy(client, 'p', upstream);
  const port = portOf(proxy.listen);
  const toxic = await proxy.addToxic<Slowclose>({ name: 'sc', type: 'slow_close', stream: 'downstream', toxicity: 1, attributes: { delay: 400 } });
  let start = performance.now();
  let got = await exchange(t, port, 'bye', true);
  let ending = await got.ended;
  t.equal(got.data().toString(), 'bye');
  t.ok(ending.at - start >= 395, `closed after ${(ending.at - start).toFixed(0)} ms`);
  const updated = await toxic.update({ ...toxic.toJson(), attributes: { delay: 0 } });
  t.equal(updated.attributes.delay, 0);
  start = performance.now();
  got = await exchange(t, port, 'bye', true);
  ending = await got.ended;
  assertTiming(t, ending.at - start, 0, 20, late, 'closed with delay 0 (was 400 ms)');
  await updated.remove();
});

t.test('timeout: data is swallowed and the connection closed after the timeout', async (t) => {
  const late = watchLateness(t);
  const { client, upstream } = await setup(t);
  const proxy = await createProxy(client, 'p', upstream);
  const port = portOf(proxy.listen);
  const toxic = await proxy.addToxic<Timeout>({ name: 'to', type: 'timeout', stream: 'downstream', toxicity: 1, attributes: { timeout: 150 } });
  const start = performance.now();
  const got = await exchange(t, port, 'lost');
  const ending = await got.ended;
  t.equal(got.bytes, 0, 'nothing comes back');
  t.ok(ending.at - start >= 145, `closed after ${(ending.at - start).toFixed(0)} ms`);
  const updated = await toxic.update({ ...toxic.toJson(), attributes: { timeout: 0 } });
  t.same((await proxy.getToxic<Timeout>('to')).attributes, { timeout: 0 });
  await updated.remove();
  assertTiming(t, await echoTime(t, port), 0, 20, late, 'data flows once removed');
});

t.test('slicer: data arrives in small slices; a large size undoes it', async (t) => {
  const { client, upstream } = await setup(t);
  const proxy = await createProxy(client, 'p', upstream);
  const port = portOf(proxy.listen);
  const toxic = await proxy.addToxic<Slicer>({
    name: 'sl',
    type: 'slicer',
    stream: 'downstream',
    toxicity: 1,
    attributes: { average_size: 10, size_variation: 0, delay: 5000 },
  });
  let got = await exchange(t, port, Buffer.alloc(100, 1));
  await got.waitForBytes(100);
  t.ok(got.chunks.length >= 5, `100 bytes came in ${got.chunks.length} slices`);
  const updated = await toxic.update({ ...toxic.toJson(), attributes: { average_size: 10_000, size_variation: 0, delay: 0 } });
  t.equal(updated.attributes.average_size, 10_000);
  got = await exchange(t, port, Buffer.alloc(100, 1));
  await got.waitForBytes(100);
  t.ok(got.chunks.length <= 2, `100 bytes came in ${got.chunks.length} slice(s) after the update`);
  await updated.remove();
});

t.test('limit_data: the connection closes once the limit is reached', async (t) => {
  const late = watchLateness(t);
  const { client, upstream } = await setup(t);
  const proxy = await createProxy(client, 'p', upstream);
  const port = portOf(proxy.listen);
  const toxic = await proxy.addToxic<{ bytes: number }>({ name: 'ld', type: 'limit_data', stream: 'downstream', toxicity: 1, attributes: { bytes: 10 } });
  let got = await exchange(t, port, Buffer.alloc(100, 1));
  await got.ended;
  t.equal(got.bytes, 10, 'exactly 10 bytes, then the end');
  const updated = await toxic.update({ ...toxic.toJson(), attributes: { bytes: 50 } });
  got = await exchange(t, port, Buffer.alloc(100, 1));
  await got.ended;
  t.equal(got.bytes, 50, '50 bytes after the update');
  await updated.remove();
  assertTiming(t, await echoTime(t, port, 100), 0, 20, late, 'no limit once removed');
});

t.test('reset_peer: the client gets ECONNRESET after the timeout', async (t) => {
  const late = watchLateness(t);
  const { client, upstream } = await setup(t);
  const proxy = await createProxy(client, 'p', upstream);
  const port = portOf(proxy.listen);
  const toxic = await proxy.addToxic<{ timeout: number }>({ name: 'rp', type: 'reset_peer', stream: 'upstream', toxicity: 1, attributes: { timeout: 0 } });
  let got = await exchange(t, port, 'x');
  t.equal((await got.ended).how, 'ECONNRESET');
  const updated = await toxic.update({ ...toxic.toJson(), attributes: { timeout: 200 } });
  const start = performance.now();
  got = await exchange(t, port, 'x');
  const ending = await got.ended;
  t.equal(ending.how, 'ECONNRESET');
  t.ok(ending.at - start >= 195, `reset after ${(ending.at - start).toFixed(0)} ms`);
  await updated.remove();
  assertTiming(t, await echoTime(t, port), 0, 20, late, 'data flows once removed');
});

t.test('noop: data passes unchanged; update and remove work (and a body of only attributes is enough)', async (t) => {
  const { client, upstream } = await setup(t);
  const proxy = await createProxy(client, 'p', upstream);
  const port = portOf(proxy.listen);
  const toxic = await proxy.addToxic<Record<string, never>>({
    name: 'n',
    type: 'noop' as unknown as ToxicType,
    stream: 'upstream',
    toxicity: 1,
    attributes: {},
  });
  t.same(toxic.toJson(), { name: 'n', type: 'noop', stream: 'upstream', toxicity: 1, attributes: {} });
  const got = await exchange(t, port, 'unchanged', true);
  await got.ended;
  t.equal(got.data().toString(), 'unchanged');
  // The client's own test suite sends only the attributes on update.
  const updated = await toxic.update({ attributes: {} } as unknown as Parameters<typeof toxic.update>[0]);
  t.equal(updated.name, 'n');
  await updated.remove();
  await t.rejects(updated.remove(), { message: 'Request failed with status code 404' });
});
