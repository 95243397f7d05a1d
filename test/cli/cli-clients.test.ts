/** `--clients` on `faultline partition` and `faultline toxic add|update`, as real processes. */
import { connect } from 'node:net';
import t from 'tap';
import { parseClientsFlag } from '../../cli/clients-flag.js';
import { faultline, serverProcess } from '../helpers/cli.js';
import { echoServer, outcome, portOf, roundTrip } from '../helpers/net.js';

t.test('--clients forms parse to the wire selector; a malformed one is a usage error', async (t) => {
  t.same(parseClientsFlag('fraction=0.5'), { fraction: 0.5 });
  t.same(parseClientsFlag('fraction=0.5,seed=7'), { fraction: 0.5, seed: 7 });
  t.same(parseClientsFlag('addresses=127.0.0.2,127.0.0.3:5000'), { addresses: ['127.0.0.2', '127.0.0.3:5000'] });
  t.same(parseClientsFlag('ids=3,7'), { ids: [3, 7] });
  t.same(parseClientsFlag('all'), {});
  t.same(parseClientsFlag('{"ids":[1]}'), { ids: [1] });
  for (const bad of ['half', 'fraction=x', 'fraction=0.5,sed=1', 'ids=1,,2', '{nope']) {
    t.throws(() => parseClientsFlag(bad), { code: 'ERR_USAGE', message: /^--clients: / }, bad);
  }
});

t.test('partition --clients partitions only the picked clients; a partition without it covers everyone again', async (t) => {
  const { url } = await serverProcess(t);
  const upstream = await echoServer(t);
  const run = (...args: string[]) => faultline(['--url', url, ...args]);
  const listen = JSON.parse((await run('create', 'db', '-l', '127.0.0.1:0', '-u', `127.0.0.1:${upstream}`, '--json')).stdout).listen;
  const port = portOf(listen);
  const dialFrom = (localAddress: string) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress });
    t.teardown(() => socket.destroy());
    return socket;
  };

  const partitioned = await run('partition', 'db', '--mode', 'drop', '--clients', 'addresses=127.0.0.2');
  t.match(partitioned.stdout, /partitioned \(drop, clients \{"addresses":\["127\.0\.0\.2"\]\}\)/);
  t.equal(await outcome(dialFrom('127.0.0.2')), 'ECONNRESET', 'a client from 127.0.0.2 is cut');
  const spared = dialFrom('127.0.0.1');
  t.ok((await roundTrip(spared, 'hi')) >= 0, 'a client from 127.0.0.1 gets through');
  const sparedEnded = outcome(spared);

  t.equal((await run('partition', 'db', '--mode', 'drop')).code, 0);
  t.equal(await sparedEnded, 'ECONNRESET', 'the live client from 127.0.0.1 is cut by the partition of all');
  const toxics = ((await (await fetch(`${url}/proxies/db/toxics`)).json()) as Array<Record<string, unknown>>);
  t.same(toxics.map((x) => [x['name'], 'clients' in x]), [['faultline_partition', false]], 'the selector was cleared');
  t.equal(await outcome(dialFrom('127.0.0.1')), 'ECONNRESET', 'now 127.0.0.1 is cut too');

  const refused = await run('partition', 'db', '--mode', 'refuse', '--clients', 'ids=1');
  t.same([refused.code, /a refuse partition stops the listener for every client/.test(refused.stderr)], [2, true], 'refuse takes no --clients');
});

t.test('toxic add and update send --clients; the server names the field of a bad value', async (t) => {
  const { url } = await serverProcess(t);
  const run = (...args: string[]) => faultline(['--url', url, ...args]);
  await run('create', 'db', '-l', '127.0.0.1:0', '-u', '127.0.0.1:9');
  const added = await run('toxic', 'add', 'db', '-t', 'latency', '-n', 'slow', '--clients', 'ids=3,7', '--json');
  t.same(JSON.parse(added.stdout).clients, { ids: [3, 7] });
  const updated = await run('toxic', 'update', 'db', '-n', 'slow', '--clients', 'fraction=0.25,seed=4');
  t.match(updated.stdout, /clients=\{"fraction":0\.25,"seed":4\}/, 'the table shows the selector');
  const bad = await run('toxic', 'update', 'db', '-n', 'slow', '--clients', 'fraction=2');
  t.not(bad.code, 0);
  t.match(bad.stderr, /clients\.fraction: must be <= 1/);
  const malformed = await run('toxic', 'add', 'db', '-t', 'latency', '--clients', 'fraction');
  t.same([malformed.code, /--clients: expected/.test(malformed.stderr)], [2, true]);
});
