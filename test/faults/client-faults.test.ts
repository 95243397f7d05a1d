import { createServer, type Socket } from 'node:net';
import t from 'tap';
import { dial, listen, outcome, proxyTo, type Teardown } from '../helpers/net.js';

/** An upstream that streams to each client until it goes; resolves each upstream socket's outcome. */
async function streamingUpstream(t: Teardown): Promise<{ port: number; ends: Array<Promise<string>>; open: () => number }> {
  const ends: Array<Promise<string>> = [];
  const sockets = new Set<Socket>();
  const port = await listen(
    t,
    createServer({ allowHalfOpen: true }, (s) => {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
      ends.push(outcome(s));
      const block = Buffer.alloc(64 * 1024, 1);
      const pump = (): void => {
        while (!s.destroyed && s.write(block));
      };
      s.on('drain', pump);
      pump();
    }),
  );
  return { port, ends, open: () => sockets.size };
}

async function settle(check: () => boolean, ms = 3000): Promise<boolean> {
  for (let waited = 0; waited < ms; waited += 20) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

t.test('a client that resets mid-stream: its upstream is closed (reset) and nothing is left behind', async (t) => {
  const upstream = await streamingUpstream(t);
  const { proxy, port } = await proxyTo(t, upstream.port);
  const handlesBefore = process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
  const client = await dial(t, port);
  await new Promise((r) => client.once('data', r));
  client.resetAndDestroy();
  t.ok(['ECONNRESET', 'EPIPE', 'close'].includes((await upstream.ends[0]) as string), `upstream saw ${await upstream.ends[0]}`);
  t.ok(await settle(() => proxy.connections.length === 0 && upstream.open() === 0), 'no connection left in the proxy or upstream');
  t.ok(
    await settle(() => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length <= handlesBefore),
    'no socket handle leaked',
  );
});

t.test('a client that stops reading holds at most the link bound, and when it vanishes its upstream is closed', async (t) => {
  const upstream = await streamingUpstream(t);
  const { proxy, port } = await proxyTo(t, upstream.port);
  const client = await dial(t, port);
  client.pause();
  await new Promise((r) => setTimeout(r, 500));
  const held = proxy.connections[0]?.down?.held ?? 0;
  t.ok(held <= 1024 * 1024 + 64 * 1024, `the proxy holds ${held} bytes for the stalled client (bound 1 MiB + one read)`);
  client.destroy();
  t.ok(['ECONNRESET', 'EPIPE', 'close', 'end'].includes((await upstream.ends[0]) as string), `upstream closed (${await upstream.ends[0]})`);
  t.ok(await settle(() => proxy.connections.length === 0 && upstream.open() === 0), 'nothing left behind');
});

t.test('a client that half-closes while the upstream streams keeps receiving until the upstream is done', async (t) => {
  const upstream = await streamingUpstream(t);
  const { proxy, port } = await proxyTo(t, upstream.port);
  const client = await dial(t, port);
  let got = 0;
  client.on('data', (c: Buffer) => (got += c.length));
  client.end();
  await new Promise((r) => setTimeout(r, 200));
  const before = got;
  t.ok(await settle(() => got > before), `still receiving after its FIN (${got} bytes)`);
  client.destroy();
  t.ok(await settle(() => proxy.connections.length === 0), 'closed once the client goes');
});
