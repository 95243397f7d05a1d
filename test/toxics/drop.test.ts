import { connect } from 'node:net';
import t from 'tap';
import { dial, echoServer, listen, outcome, proxyTo, roundTrip } from '../helpers/net.js';
import { createServer } from 'node:net';

t.test('drop with mode reset cuts live connections with RST and new ones right after accept', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  const live = await dial(t, port);
  await roundTrip(live, 'before');
  const liveOutcome = outcome(live);
  proxy.addToxic({ type: 'drop', attributes: { mode: 'reset' } });
  t.equal(await liveOutcome, 'ECONNRESET', 'the live connection was reset');
  const fresh = connect({ host: '127.0.0.1', port });
  t.equal(await outcome(fresh), 'ECONNRESET', 'a new connection is reset right after accept');
  t.equal(proxy.connections.length, 0, 'nothing is left open');
});

t.test('drop with mode close cuts with FIN', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  const live = await dial(t, port);
  await roundTrip(live, 'before');
  const liveOutcome = outcome(live);
  proxy.addToxic({ type: 'drop', attributes: { mode: 'close' } });
  t.equal(await liveOutcome, 'end', 'the live connection got a FIN');
  const fresh = connect({ host: '127.0.0.1', port });
  t.equal(await outcome(fresh), 'end', 'a new connection gets a FIN right after accept');
});

t.test('a dropped new connection never reaches the upstream', async (t) => {
  let upstreamSaw = 0;
  const upstream = await listen(
    t,
    createServer((s) => {
      upstreamSaw++;
      s.pipe(s);
    }),
  );
  const { proxy, port } = await proxyTo(t, upstream);
  proxy.addToxic({ type: 'drop' });
  for (let i = 0; i < 5; i++) await outcome(connect({ host: '127.0.0.1', port }));
  t.equal(upstreamSaw, 0, 'the upstream was never dialled');
});

t.test('removing drop lets new connections through again', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  proxy.addToxic({ type: 'drop' });
  t.equal(await outcome(connect({ host: '127.0.0.1', port })), 'ECONNRESET');
  proxy.removeToxic('drop_downstream');
  const socket = await dial(t, port);
  t.ok((await roundTrip(socket, 'after')) >= 0, 'a new connection works');
});

t.test('drop rejects an unknown mode naming the field', async (t) => {
  const { proxy } = await proxyTo(t, await echoServer(t));
  t.throws(() => proxy.addToxic({ type: 'drop', attributes: { mode: 'explode' } }), {
    code: 'ERR_INVALID_ATTRIBUTE',
    field: 'attributes.mode',
  });
  t.same(proxy.toxicSet.list(), [], 'nothing was added');
});
