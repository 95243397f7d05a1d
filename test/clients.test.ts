/** The `clients` selector on real sockets: which live and new connections a toxic acts on. */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import t from 'tap';
import { clientMatcher } from '../proxy/client-selector.js';
import { connectionRandom } from '../proxy/connection.js';
import type { Proxy } from '../proxy/proxy.js';
import { echoServer, eventually, outcome, proxyTo, roundTrip, type Teardown } from './helpers/net.js';

/** Connects to the proxy from `localAddress` (any 127/8 address is loopback on Linux). */
function from(t: Teardown, port: number, localAddress: string): Socket {
  const socket = connect({ host: '127.0.0.1', port, localAddress, allowHalfOpen: true });
  t.teardown(() => socket.destroy());
  return socket;
}

/** Connects from `localAddress` and waits until the proxy has the connection open; returns the socket and its id. */
async function open(t: Teardown, proxy: Proxy, port: number, localAddress = '127.0.0.1'): Promise<{ socket: Socket; id: number }> {
  const socket = from(t, port, localAddress);
  await once(socket, 'connect');
  await roundTrip(socket, 'hello');
  const local = socket.localPort;
  const connection = proxy.connections.find((c) => c.client.remotePort === local);
  if (!connection) throw new Error('the proxy has no such connection');
  return { socket, id: connection.id };
}

/** Whether the echo still answers through `socket`, or how the socket ended. */
async function fate(socket: Socket): Promise<string> {
  const ended = outcome(socket);
  const echoed = roundTrip(socket, 'ping').then(() => 'works');
  return Promise.race([ended, echoed]);
}

t.test('an address selector cuts live and new clients from 127.0.0.2 and leaves 127.0.0.1 alone', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  const one = await open(t, proxy, port, '127.0.0.1');
  const two = await open(t, proxy, port, '127.0.0.2');
  const twoEnded = outcome(two.socket);
  proxy.addToxic({ type: 'drop', clients: { addresses: ['127.0.0.2'] } });
  t.equal(await twoEnded, 'ECONNRESET', 'the live client from 127.0.0.2 was reset');
  t.equal(await fate(one.socket), 'works', 'the live client from 127.0.0.1 still works');
  t.equal(await outcome(from(t, port, '127.0.0.2')), 'ECONNRESET', 'a new client from 127.0.0.2 is reset on accept');
  const fresh = await open(t, proxy, port, '127.0.0.1');
  t.equal(await fate(fresh.socket), 'works', 'a new client from 127.0.0.1 works');
});

t.test('an address with a port picks only that client socket', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  const a = await open(t, proxy, port, '127.0.0.3');
  const b = await open(t, proxy, port, '127.0.0.3');
  const aEnded = outcome(a.socket);
  proxy.addToxic({ type: 'drop', clients: { addresses: [`127.0.0.3:${a.socket.localPort}`] } });
  t.equal(await aEnded, 'ECONNRESET', 'the named port was reset');
  t.equal(await fate(b.socket), 'works', 'another port of the same IP was not');
});

t.test('an id selector cuts the listed live connections and a listed id that connects later', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  const conns = [await open(t, proxy, port), await open(t, proxy, port), await open(t, proxy, port)];
  const [first, second, third] = conns as [(typeof conns)[0], (typeof conns)[0], (typeof conns)[0]];
  const secondEnded = outcome(second.socket);
  const next = third.id + 2;
  proxy.addToxic({ type: 'drop', clients: { ids: [second.id, next] } });
  t.equal(await secondEnded, 'ECONNRESET', `connection ${second.id} was reset`);
  t.same([await fate(first.socket), await fate(third.socket)], ['works', 'works'], 'the others were not');
  const unlisted = await open(t, proxy, port);
  t.equal(unlisted.id, third.id + 1);
  t.equal(await fate(unlisted.socket), 'works', `new connection ${unlisted.id} is not listed`);
  t.equal(await outcome(from(t, port, '127.0.0.1')), 'ECONNRESET', `new connection ${next} is listed: reset on accept`);
});

t.test('a fraction cuts the connections its seed picks, the same ones on a fresh server with the same seed', async (t) => {
  const run = async (): Promise<number[]> => {
    const { proxy, port } = await proxyTo(t, await echoServer(t));
    const conns: Array<{ socket: Socket; id: number }> = [];
    for (let i = 0; i < 20; i++) conns.push(await open(t, proxy, port));
    const endings = conns.map((c) => fate(c.socket));
    proxy.addToxic({ type: 'drop', clients: { fraction: 0.5, seed: 7 } });
    const results = await Promise.all(endings);
    return conns.filter((_, i) => results[i] === 'ECONNRESET').map((c) => c.id);
  };
  const cut = await run();
  const match = clientMatcher({ fraction: 0.5, seed: 7 });
  t.same(cut, Array.from({ length: 20 }, (_, i) => i + 1).filter((id) => match(id, {})), 'exactly the picked ids were cut');
  t.ok(cut.length >= 8 && cut.length <= 12, `${cut.length} of 20 cut`);
  t.same(await run(), cut, 'the same ids again');
});

t.test('a selector on a non-cutting toxic shows in the connections it is active on, and a patch moves it', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  const a = await open(t, proxy, port);
  const b = await open(t, proxy, port);
  const active = (): Record<number, string[]> =>
    Object.fromEntries(proxy.connections.map((c) => [c.id, c.down?.activeToxics ?? []]));
  proxy.addToxic({ name: 'slow', type: 'latency', attributes: { latency: 1 }, clients: { ids: [a.id] } });
  t.same(active(), { [a.id]: ['slow'], [b.id]: [] });
  proxy.updateToxic('slow', { clients: { ids: [b.id] } });
  t.same(active(), { [a.id]: [], [b.id]: ['slow'] }, 'moved to the other connection');
  proxy.updateToxic('slow', { attributes: { latency: 2 } });
  t.same(active(), { [a.id]: [], [b.id]: ['slow'] }, 'a patch without clients keeps the selector');
  proxy.updateToxic('slow', { clients: {} });
  t.same(active(), { [a.id]: ['slow'], [b.id]: ['slow'] }, '{} clears it: every connection');
  t.same([await fate(a.socket), await fate(b.socket)], ['works', 'works']);
});

t.test('toxicity applies within the selection: only selected clients are drawn, with the usual seeded draw', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  const toxic = proxy.addToxic({ type: 'drop', toxicity: 0.5, clients: { addresses: ['127.0.0.2'] } });
  const clients: Array<{ address: string; fate: string }> = [];
  for (let i = 0; i < 16; i++) {
    const address = i % 2 === 0 ? '127.0.0.2' : '127.0.0.1';
    clients.push({ address, fate: await fate(from(t, port, address)) });
  }
  const ids = clients.map((_, i) => i + 1);
  const expected = ids.map((id, i) =>
    clients[i]?.address === '127.0.0.2' && connectionRandom(proxy, id, toxic, 'toxicity')() < 0.5 ? 'ECONNRESET' : 'works',
  );
  t.same(clients.map((c) => c.fate), expected, 'cut exactly where the selector picks and the draw falls under the toxicity');
  t.ok(clients.every((c) => c.address === '127.0.0.2' || c.fate === 'works'), 'never a client from 127.0.0.1');
  const picked = clients.filter((c) => c.address === '127.0.0.2').map((c) => c.fate);
  t.ok(picked.includes('works') && picked.includes('ECONNRESET'), 'the draw spared some of 127.0.0.2 and cut others');
  t.ok(await eventually(() => proxy.connections.length === clients.filter((c) => c.fate === 'works').length), 'the cut ones are gone');
});

t.test('moving a selector between two streaming connections 100+ times loses, duplicates and reorders nothing', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  const pair = [await open(t, proxy, port), await open(t, proxy, port)];
  proxy.addToxic({ name: 'slow', type: 'latency', attributes: { latency: 2 }, clients: { ids: [pair[0]!.id] } });
  proxy.addToxic({ name: 'sliced', type: 'slicer', stream: 'upstream', attributes: { average_size: 512 }, clients: { ids: [pair[1]!.id] } });
  let moves = 0;
  const move = (): void => {
    const [a, b] = moves % 2 === 0 ? [pair[1]!, pair[0]!] : [pair[0]!, pair[1]!];
    proxy.updateToxic('slow', { clients: { ids: [a.id] } });
    proxy.updateToxic('sliced', { clients: moves % 3 === 0 ? {} : { ids: [b.id] } });
    moves++;
  };
  // A move per 16 KiB echoed (in the middle of the data, wherever it is), and one every 5 ms.
  let echoed = 0;
  const timer = setInterval(move, 5);
  const total = 4 * 1024 * 1024;
  const results = await Promise.all(
    pair.map(async ({ socket }, n) => {
      const sent = createHash('sha256');
      const received = createHash('sha256');
      let bytes = 0;
      socket.on('data', (c: Buffer) => {
        received.update(c);
        bytes += c.length;
        if (Math.floor((echoed + c.length) / 16384) > Math.floor(echoed / 16384)) move();
        echoed += c.length;
      });
      const ended = once(socket, 'end');
      for (let i = 0; i < total / 16384; i++) {
        const data = Buffer.alloc(16384, `${n}:${i};`);
        sent.update(data);
        if (!socket.write(data)) await once(socket, 'drain');
      }
      socket.end();
      await ended;
      return [bytes, received.digest('hex') === sent.digest('hex')];
    }),
  );
  clearInterval(timer);
  t.ok(moves >= 100, `${moves} selector moves during the streams`);
  t.same(results, [[total, true], [total, true]], 'both streams came back whole and in order');
});

t.test('toxic.added and toxic.updated events carry the selector', async (t) => {
  const { proxy } = await proxyTo(t, await echoServer(t));
  const seen: unknown[] = [];
  proxy.events.subscribe((e) => seen.push('toxic' in e && typeof e.toxic === 'object' ? e.toxic.clients : undefined), ['toxic.added', 'toxic.updated']);
  proxy.addToxic({ name: 'x', type: 'noop', clients: { fraction: 0.3 } });
  proxy.updateToxic('x', { clients: { ids: [2] } });
  t.same(seen, [{ fraction: 0.3, seed: 0 }, { ids: [2] }]);
});
