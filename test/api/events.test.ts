import { connect } from 'node:net';
import t from 'tap';
import { EventStream } from '../../harness/event-stream.js';
import type { EventJson } from '../../protocol/wire.js';
import { apiServer, call } from '../helpers/api.js';
import { dial, echoServer, outcome, portOf, readAll, roundTrip } from '../helpers/net.js';
import { watchLateness } from '../helpers/lateness.js';

t.test('GET /events streams lifecycle events in order, each with a monotonic and a wall-clock time', async (t) => {
  const server = await apiServer(t);
  const events = new EventStream();
  await events.open(server.url);
  t.teardown(() => events.close());
  t.ok(events.available, 'the stream is open');

  const upstream = await echoServer(t);
  const created = await call(server, 'POST', '/proxies', { name: 'p', listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstream}` });
  await call(server, 'POST', '/proxies/p/toxics', { name: 'lag', type: 'latency', attributes: { latency: 1 } });
  const socket = await dial(t, portOf(created.json.listen));
  await roundTrip(socket, 'hello');
  const all = readAll(socket);
  socket.end();
  await all;
  await call(server, 'POST', '/proxies/p/toxics', { name: 'cut', type: 'drop', attributes: { mode: 'reset' } });
  await outcome(connect({ host: '127.0.0.1', port: portOf(created.json.listen) }));
  await call(server, 'DELETE', '/proxies/p/toxics/lag');
  await call(server, 'POST', '/proxies/p', { enabled: false });
  await call(server, 'DELETE', '/proxies/p');
  await events.find(0, (e) => e.type === 'proxy.deleted', 2000);

  const types = events.events.map((e) => e.type);
  t.same(types, [
    'proxy.created',
    'toxic.added',
    'connection.opened',
    'connection.closed',
    'toxic.added',
    'connection.opened',
    'fault.tripped',
    'connection.closed',
    'toxic.removed',
    'proxy.disabled',
    'proxy.updated',
    'proxy.deleted',
  ]);
  const closed = events.events[3]!;
  t.match(closed, { proxy: 'p', connection: 1, reason: 'client closed', bytes_up: 5, bytes_down: 5 });
  t.match(events.events[7], { reason: 'drop (reset)' });
  const ats = events.events.map((e) => e.at);
  t.ok(ats.every((at, i) => i === 0 || at >= (ats[i - 1] as number)), 'monotonic times never go back');
  t.ok(events.events.every((e) => Math.abs(Date.parse(e.time) - Date.now()) < 60_000), 'wall-clock times are now-ish');
});

t.test('GET /events?proxy=NAME only streams that proxy; an unknown proxy is a 404', async (t) => {
  const server = await apiServer(t);
  const unknown = await call(server, 'GET', '/events?proxy=nope');
  t.equal(unknown.status, 404);
  t.same(unknown.json, { error: 'proxy not found', status: 404 });
  const upstream = await echoServer(t);
  await call(server, 'POST', '/proxies', { name: 'a', listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstream}` });
  await call(server, 'POST', '/proxies', { name: 'b', listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstream}` });
  const all = new EventStream();
  await all.open(server.url);
  const response = await fetch(`${server.url}/events?proxy=b`);
  t.equal(response.headers.get('content-type'), 'text/event-stream');
  await response.body?.cancel();
  const onlyB = new EventStream();
  await onlyB.open(server.url, {}, '?proxy=b');
  t.teardown(() => {
    all.close();
    onlyB.close();
  });
  await call(server, 'POST', '/proxies/a/toxics', { type: 'noop' });
  await call(server, 'POST', '/proxies/b/toxics', { type: 'noop' });
  const proxyOf = (e: EventJson): string | undefined => ('proxy' in e ? e.proxy : undefined);
  await all.find(0, (e) => proxyOf(e) === 'b', 2000);
  await onlyB.find(0, (e) => proxyOf(e) === 'b', 2000);
  t.same(
    all.events.map(proxyOf),
    ['a', 'b'],
    'the unfiltered stream has both',
  );
  t.same(
    onlyB.events.map(proxyOf),
    ['b'],
    'the filtered stream has only b',
  );
});

t.test('a subscriber that never reads does not stall traffic and is dropped when its buffer is full', async (t) => {
  const server = await apiServer(t);
  const upstream = await echoServer(t);
  const created = await call(server, 'POST', '/proxies', { name: 'p', listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstream}` });
  const socket = await dial(t, portOf(created.json.listen));
  const proxy = server.registry.get('p');
  // 40,000 events (well past the kernel's ~4 MB of socket buffers plus our 1 MiB bound), in
  // batches, with an echo round trip between batches; the median round trip, side by side with
  // the same flood and no subscriber, so a loaded machine slows both alike.
  const flood = async (): Promise<number> => {
    const rtts: number[] = [];
    for (let batch = 0; batch < 40; batch++) {
      for (let i = 0; i < 500; i++) {
        proxy.addToxic({ name: 'flip', type: 'noop' });
        proxy.removeToxic('flip');
      }
      rtts.push(await roundTrip(socket, 'ping'));
    }
    return rtts.sort((a, b) => a - b)[20] as number;
  };
  const before = await flood();
  const { hostname, port } = new URL(server.url);
  const stalled = connect({ host: hostname, port: Number(port) });
  await new Promise((r) => stalled.once('connect', r));
  // Subscribed once the response has begun; from then on the subscriber reads nothing.
  const subscribed = new Promise((r) => stalled.once('data', r));
  stalled.write(`GET /events HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`);
  await subscribed;
  stalled.pause();
  const stalls = watchLateness(t);
  const during = await flood();
  stalls.stop();
  t.ok(
    during <= 3 * before + 5 + stalls.max,
    `echo median ${during.toFixed(2)} ms during the flood to a stalled subscriber, ${before.toFixed(2)} ms with none (+ ${stalls.max.toFixed(1)} ms of stall measured)`,
  );

  let received = 0;
  stalled.on('data', (c: Buffer) => (received += c.length));
  stalled.resume();
  let timer: NodeJS.Timeout | undefined;
  const ended = await Promise.race([outcome(stalled), new Promise((r) => (timer = setTimeout(() => r('still open'), 10_000)))]);
  clearTimeout(timer);
  t.not(ended, 'still open', `the server dropped the stalled subscriber (${ended} after ${received} bytes)`);
  t.ok(received < 40_000 * 150, 'it was dropped before it got everything');
});

t.test('POST /events/mark: a mark on every stream, after every event emitted before it', async (t) => {
  const server = await apiServer(t);
  const upstream = await echoServer(t);
  await call(server, 'POST', '/proxies', { name: 'm', listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstream}` });
  const all = new EventStream();
  await all.open(server.url);
  const onlyM = new EventStream();
  await onlyM.open(server.url, {}, '?proxy=m');
  t.teardown(() => {
    all.close();
    onlyM.close();
  });
  await call(server, 'POST', '/proxies/m/toxics', { type: 'noop' });
  t.equal((await call(server, 'POST', '/events/mark', { label: 'one' })).status, 204);
  t.equal((await call(server, 'POST', '/events/mark')).status, 204, 'the body is optional');
  for (const stream of [all, onlyM]) {
    await stream.find(0, (e) => e.type === 'events.mark' && e.label === '', 2000);
    t.same(
      stream.events.map((e) => (e.type === 'events.mark' ? `mark ${e.label}` : e.type)),
      ['toxic.added', 'mark one', 'mark '],
      'the toxic, then the marks, in order (a filtered stream gets them too)',
    );
  }
  const bad = await call(server, 'POST', '/events/mark', { label: 7 });
  t.equal(bad.status, 400);
  t.match(bad.json, { error: /label/ }, 'a label that is not a string is refused, naming it');
  t.equal((await call(server, 'GET', '/events/mark')).status, 405);
});
