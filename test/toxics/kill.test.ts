import { connect } from 'node:net';
import t from 'tap';
import { dial, echoServer, outcome, proxyTo, roundTrip } from '../helpers/net.js';

t.test('kill on a TCP proxy resets live connections and new ones right after accept', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  const live = await dial(t, port);
  await roundTrip(live, 'before');
  const liveOutcome = outcome(live);
  proxy.addToxic({ type: 'kill' });
  t.equal(await liveOutcome, 'ECONNRESET', 'the live connection was reset');
  t.equal(await outcome(connect({ host: '127.0.0.1', port })), 'ECONNRESET', 'a new one is reset after accept');
});
