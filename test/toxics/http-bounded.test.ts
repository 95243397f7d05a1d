/** http_status keeps memory bounded: a client that pipelines requests the toxic answers, without reading the replies, is paused. */
import t from 'tap';
import { dial, eventually, proxyTo, sinkServer } from '../helpers/net.js';
import { responses } from '../helpers/http-client.js';

t.test('a client pipelining 40 000 answered requests without reading is paused by the link bound, then gets every reply in order', async (t) => {
  const bound = 64 * 1024;
  const { proxy, port } = await proxyTo(t, await sinkServer(t), { linkBound: bound });
  proxy.addToxic({ type: 'http_status', attributes: { status: 503 } });
  const socket = await dial(t, port);
  socket.pause();
  const n = 40_000;
  const requests = Buffer.from(Array.from({ length: n }, (_, i) => `GET /r${i} HTTP/1.1\r\nHost: x\r\n\r\n`).join(''));
  socket.write(requests);
  const connection = proxy.connections[0];
  t.ok(connection, 'one connection');
  // The proxy stops reading once the replies it could not deliver pass the bound.
  let last = -1;
  const stalled = await eventually(() => {
    const now = connection?.up?.bytesIn ?? 0;
    const still = now === last && now > 0;
    last = now;
    return still;
  }, 20_000);
  t.ok(stalled, 'the proxy stopped reading the client');
  const read = connection?.up?.bytesIn ?? 0;
  const backlog = connection?.client.writableLength ?? 0;
  t.ok(read < requests.length, `read ${read} of ${requests.length} request bytes`);
  // One read (≤ 64 KiB of requests) can make about 4× its size in replies before the bound is checked again.
  t.ok(backlog <= bound + 4 * 5 * 65536, `the client's backlog at the proxy stays bounded: ${backlog} bytes`);
  const reader = responses(socket);
  socket.resume();
  const got = await reader.wait(n);
  t.equal(got.filter((r) => r.status === 503).length, n, 'every request answered, once');
});
