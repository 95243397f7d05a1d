import { connect } from 'node:net';
import t from 'tap';
import { faultline, serverProcess } from '../helpers/cli.js';
import { dial, echoServer, outcome, portOf, roundTrip } from '../helpers/net.js';

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

t.test('partition replaces the partition already on a proxy instead of stacking a second one', async (t) => {
  const { url } = await serverProcess(t);
  const upstream = await echoServer(t);
  const run = (...args: string[]) => faultline(['--url', url, ...args]);
  await fetch(`${url}/proxies`, { method: 'POST', body: JSON.stringify({ name: 'db', listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstream}` }) });
  // The state is read over the API: a CLI process per look would only slow the test down.
  const state = async (): Promise<{ enabled: boolean; toxics: string[] }> => {
    const proxy = (await (await fetch(`${url}/proxies/db`)).json()) as { enabled: boolean; toxics: Array<{ name: string; type: string; attributes: { mode?: string } }> };
    return { enabled: proxy.enabled, toxics: proxy.toxics.map((x) => `${x.name}:${x.type}${x.attributes.mode ? `:${x.attributes.mode}` : ''}`) };
  };

  t.equal((await run('partition', 'db', '--mode', 'drop')).code, 0);
  t.equal((await run('partition', 'db', '--mode', 'blackhole')).code, 0);
  t.same(await state(), { enabled: true, toxics: ['faultline_partition_up:blackhole', 'faultline_partition_down:blackhole'] }, 'drop then blackhole leaves only blackhole');
  t.equal((await run('partition', 'db', '--mode', 'refuse')).code, 0);
  t.same(await state(), { enabled: false, toxics: [] }, 'then refuse leaves only the disabled proxy');
  t.equal((await run('partition', 'db', '--mode', 'drop', '--cut', 'close')).code, 0);
  t.same(await state(), { enabled: true, toxics: ['faultline_partition:drop:close'] }, 'then drop re-enables it with only the drop toxic');
  const again = await run('partition', 'db', '--mode', 'drop', '--cut', 'reset');
  t.equal(again.code, 0, 'the same mode again is no error');
  t.same(await state(), { enabled: true, toxics: ['faultline_partition:drop:reset'] }, 'and takes the new cut mode');
  t.match((await run('heal', 'db')).stdout, /healed \(removed faultline_partition\)/);
  t.same(await state(), { enabled: true, toxics: [] });
});
