import t from 'tap';
import { faultline, serverProcess } from '../helpers/cli.js';
import { dial, echoServer, outcome, portOf, roundTrip } from '../helpers/net.js';
import { connect } from 'node:net';

t.test('the client commands drive a real server: create, list, inspect, toxics, toggle, delete', async (t) => {
  const { url } = await serverProcess(t);
  const upstream = await echoServer(t);
  const run = (...args: string[]) => faultline(['--url', url, ...args]);

  const created = await run('create', 'web', '--listen', '127.0.0.1:0', '--upstream', `127.0.0.1:${upstream}`, '--json');
  t.equal(created.code, 0, created.stderr);
  const listen = JSON.parse(created.stdout).listen as string;
  t.match(listen, /^127\.0\.0\.1:\d+$/);

  const list = await run('list');
  t.match(list.stdout, /NAME\s+LISTEN\s+UPSTREAM\s+ENABLED\s+TOXICS\nweb\s+127\.0\.0\.1:\d+\s+127\.0\.0\.1:\d+\s+yes\s+0/);
  t.same(Object.keys(JSON.parse((await run('list', '--json')).stdout)), ['web']);

  const added = await run('toxic', 'add', 'web', '--type', 'latency', '--toxic-name', 'lag', '--attr', 'latency=150', '--attr', 'jitter=0');
  t.equal(added.code, 0, added.stderr);
  t.match(added.stdout, /lag\s+latency\s+downstream\s+1\s+latency=150 jitter=0/);
  const socket = await dial(t, portOf(listen));
  t.ok((await roundTrip(socket, 'x')) >= 149, 'the latency toxic is live on real sockets');

  const updated = await run('toxic', 'update', 'web', '--toxic-name', 'lag', '--attr', 'latency=5', '--json');
  t.same(JSON.parse(updated.stdout).attributes, { latency: 5, jitter: 0 });
  t.match((await run('inspect', 'web')).stdout, /TOXIC\s+TYPE[^\n]*\nlag\s+latency\s+downstream\s+1\s+latency=5/);
  t.equal((await run('toxic', 'remove', 'web', '--toxic-name', 'lag')).code, 0);

  t.match((await run('toggle', 'web')).stdout, /now disabled/);
  t.equal(await outcome(connect({ host: '127.0.0.1', port: portOf(listen) })), 'ECONNREFUSED');
  t.match((await run('toggle', 'web')).stdout, /now enabled/);
  t.match((await run('delete', 'web')).stdout, /deleted proxy web/);
  t.match((await run('list')).stdout, /no proxies/);
});

t.test('connections, cut, partition and heal', async (t) => {
  const { url } = await serverProcess(t);
  const upstream = await echoServer(t);
  const run = (...args: string[]) => faultline(['--url', url, ...args]);
  const listen = JSON.parse((await run('create', 'db', '-l', '127.0.0.1:0', '-u', `127.0.0.1:${upstream}`, '--json')).stdout).listen;
  const a = await dial(t, portOf(listen));
  await roundTrip(a, 'hello');
  t.match((await run('connections', 'db')).stdout, /ID\s+CLIENT[^\n]*\n1\s+127\.0\.0\.1:\d+\s+\S+\s+open\s+5\s+5/);
  const aGone = outcome(a);
  t.match((await run('cut', 'db', '--id', '1', '--mode', 'reset')).stdout, /cut 1 connection/);
  t.equal(await aGone, 'ECONNRESET');

  t.equal((await run('partition', 'db', '--mode', 'blackhole')).code, 0);
  const b = await dial(t, portOf(listen));
  let got = 0;
  b.on('data', (c: Buffer) => (got += c.length));
  b.write('lost');
  await new Promise((r) => setTimeout(r, 150));
  t.equal(got, 0, 'black-holed');
  t.match((await run('heal', 'db')).stdout, /healed \(removed faultline_partition_up, faultline_partition_down\)/);
  t.ok((await roundTrip(b, 'back')) >= 0, 'data flows again');

  t.equal((await run('partition', 'db', '--mode', 'refuse')).code, 0);
  t.equal(await outcome(connect({ host: '127.0.0.1', port: portOf(listen) })), 'ECONNREFUSED');
  await run('heal', 'db');
  t.equal((await run('partition', 'db', '--mode', 'drop')).code, 0);
  t.equal(await outcome(connect({ host: '127.0.0.1', port: portOf(listen) })), 'ECONNRESET');
  await run('heal', 'db');
  t.ok((await roundTrip(await dial(t, portOf(listen)), 'ok')) >= 0);
});

t.test('errors print the server message and exit non-zero; bad flags exit 2', async (t) => {
  const { url } = await serverProcess(t);
  const missing = await faultline(['--url', url, 'inspect', 'nope']);
  t.equal(missing.code, 1);
  t.match(missing.stderr, /HTTP 404: proxy not found/);
  const badType = await faultline(['--url', url, 'create', 'x', '-l', '127.0.0.1:0', '-u', '127.0.0.1:1']);
  t.equal(badType.code, 0);
  const badToxic = await faultline(['--url', url, 'toxic', 'add', 'x', '--type', 'latency', '--attr', 'latency=-5']);
  t.equal(badToxic.code, 1);
  t.match(badToxic.stderr, /HTTP 400: .*attributes\.latency/);
  const usage = await faultline(['--url', url, 'toxic', 'add', 'x']);
  t.equal(usage.code, 2, 'a missing --type is a usage error');
  t.match(usage.stderr, /type/);
  const badAttr = await faultline(['--url', url, 'toxic', 'add', 'x', '--type', 'latency', '--attr', 'nonsense']);
  t.equal(badAttr.code, 2);
  t.match(badAttr.stderr, /--attr "nonsense": expected key=value/);
  const unreachable = await faultline(['--url', 'http://127.0.0.1:1', 'list']);
  t.equal(unreachable.code, 1);
  t.match(unreachable.stderr, /cannot reach the control API at http:\/\/127\.0\.0\.1:1/);
});

t.test('FAULTLINE_URL and TOXIPROXY_URL choose the server', async (t) => {
  const { url } = await serverProcess(t);
  t.equal((await faultline(['list'], { FAULTLINE_URL: url })).code, 0);
  t.equal((await faultline(['list'], { FAULTLINE_URL: '', TOXIPROXY_URL: url })).code, 0);
});
