import { connect } from 'node:net';
import t from 'tap';
import { faultline, serverProcess } from '../helpers/cli.js';
import { dial, echoServer, outcome, portOf, roundTrip } from '../helpers/net.js';

// One server process for the whole file: each test works on its own proxy names.
const server = serverProcess(t);

t.test('the client commands drive a real server: create, list, inspect, toxics, toggle, delete', async (t) => {
  const { url } = await server;
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
  t.notMatch((await run('list')).stdout, /^web\s/m, 'web is gone');
});

t.test('errors print the server message and exit non-zero; bad flags exit 2', async (t) => {
  const { url } = await server;
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
  const { url } = await server;
  t.equal((await faultline(['list'], { FAULTLINE_URL: url })).code, 0);
  t.equal((await faultline(['list'], { FAULTLINE_URL: '', TOXIPROXY_URL: url })).code, 0);
});
