import t from 'tap';
import { apiServer, call } from '../helpers/api.js';
import { dial, echoServer, outcome, portOf, roundTrip, type Teardown } from '../helpers/net.js';

async function setup(t: Teardown) {
  const server = await apiServer(t);
  const upstream = await echoServer(t);
  const created = await call(server, 'POST', '/proxies', { name: 'p', listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstream}` });
  return { server, port: portOf(created.json.listen) };
}

t.test('GET /proxies/{proxy}/connections lists live connections with bytes and active toxics', async (t) => {
  const { server, port } = await setup(t);
  await call(server, 'POST', '/proxies/p/toxics', { name: 'slow', type: 'latency', stream: 'upstream', attributes: { latency: 1 } });
  const a = await dial(t, port);
  await roundTrip(a, 'hello');
  const b = await dial(t, port);
  await roundTrip(b, 'hi');
  const list = await call(server, 'GET', '/proxies/p/connections');
  t.equal(list.status, 200);
  t.equal(list.json.length, 2);
  const [first] = list.json;
  t.match(first, { id: 1, state: 'open', bytes_up: 5, bytes_down: 5, toxics: { upstream: ['slow'], downstream: [] } });
  t.match(first.client, /^127\.0\.0\.1:\d+$/);
  t.ok(!Number.isNaN(Date.parse(first.opened_at)), 'opened_at is a time');
  t.equal((await call(server, 'GET', '/proxies/nope/connections')).status, 404);
});

t.test('DELETE one connection cuts only it (reset), and new connections are left alone', async (t) => {
  const { server, port } = await setup(t);
  const a = await dial(t, port);
  const b = await dial(t, port);
  await roundTrip(a, 'a');
  await roundTrip(b, 'b');
  const aOutcome = outcome(a);
  const cut = await call(server, 'DELETE', '/proxies/p/connections/1?mode=reset');
  t.same([cut.status, cut.json], [200, { cut: 1 }]);
  t.equal(await aOutcome, 'ECONNRESET', 'the cut connection was reset');
  t.ok((await roundTrip(b, 'still')) >= 0, 'the other connection still works');
  const c = await dial(t, port);
  t.ok((await roundTrip(c, 'new')) >= 0, 'a new connection works');
});

t.test('DELETE all connections with mode close sends FIN to each', async (t) => {
  const { server, port } = await setup(t);
  const sockets = [await dial(t, port), await dial(t, port)];
  for (const s of sockets) await roundTrip(s, 'x');
  const outcomes = sockets.map(outcome);
  const cut = await call(server, 'DELETE', '/proxies/p/connections?mode=close');
  t.same(cut.json, { cut: 2 });
  t.same(await Promise.all(outcomes), ['end', 'end']);
});

t.test('bad cut requests name what is wrong and change nothing', async (t) => {
  const { server, port } = await setup(t);
  const a = await dial(t, port);
  await roundTrip(a, 'x');
  const badMode = await call(server, 'DELETE', '/proxies/p/connections/1?mode=explode');
  t.equal(badMode.status, 400);
  t.match(badMode.json.error, /mode/);
  t.equal((await call(server, 'DELETE', '/proxies/p/connections/99')).status, 404);
  t.equal((await call(server, 'DELETE', '/proxies/p/connections/abc')).status, 404);
  t.ok((await roundTrip(a, 'alive')) >= 0, 'the connection is untouched');
});
