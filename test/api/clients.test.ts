/** The `clients` selector over the control API and in config files: shape, updates, validation. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { RunningServer } from '../../proxy/api/server.js';
import { readConfig } from '../../proxy/config.js';
import { apiServer, call } from '../helpers/api.js';
import { echoServer, type Teardown } from '../helpers/net.js';

async function withProxy(t: Teardown): Promise<RunningServer> {
  const server = await apiServer(t);
  const upstream = await echoServer(t);
  await call(server, 'POST', '/proxies', { name: 'p', listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstream}` });
  return server;
}

t.test('a toxic with clients is returned with its selector after toxicity (seed filled in); one without has no clients field', async (t) => {
  const server = await withProxy(t);
  const res = await call(server, 'POST', '/proxies/p/toxics', { name: 'half', type: 'drop', clients: { fraction: 0.5 } });
  t.equal(res.status, 200);
  t.equal(res.text, '{"attributes":{"mode":"reset"},"name":"half","type":"drop","stream":"downstream","toxicity":1,"clients":{"fraction":0.5,"seed":0}}');
  t.same((await call(server, 'GET', '/proxies/p/toxics/half')).json.clients, { fraction: 0.5, seed: 0 }, 'GET toxic');
  t.same((await call(server, 'GET', '/proxies/p')).json.toxics[0].clients, { fraction: 0.5, seed: 0 }, 'GET proxy');
  const plain = await call(server, 'POST', '/proxies/p/toxics', { type: 'latency' });
  t.notOk('clients' in plain.json, 'Toxiproxy shape when there is no selector');
});

t.test('POST and PATCH on a toxic replace its selector; {} clears it; leaving it out keeps it', async (t) => {
  const server = await withProxy(t);
  await call(server, 'POST', '/proxies/p/toxics', { name: 'x', type: 'latency', clients: { ids: [3, 7] } });
  const patched = await call(server, 'PATCH', '/proxies/p/toxics/x', { clients: { addresses: ['127.0.0.2', '127.0.0.3:5000'] } });
  t.same(patched.json.clients, { addresses: ['127.0.0.2', '127.0.0.3:5000'] }, 'PATCH');
  const kept = await call(server, 'POST', '/proxies/p/toxics/x', { attributes: { latency: 5 } });
  t.same([kept.json.attributes.latency, kept.json.clients], [5, { addresses: ['127.0.0.2', '127.0.0.3:5000'] }], 'POST without clients keeps it');
  const cleared = await call(server, 'POST', '/proxies/p/toxics/x', { clients: {} });
  t.equal(cleared.status, 200);
  t.notOk('clients' in cleared.json, '{} clears it');
});

t.test('the field name matches case-insensitively, like every Toxiproxy field', async (t) => {
  const server = await withProxy(t);
  const res = await call(server, 'POST', '/proxies/p/toxics', { type: 'drop', Clients: { ids: [1] } });
  t.same(res.json.clients, { ids: [1] });
});

t.test('a bad selector is a 400 naming the field, and changes nothing', async (t) => {
  const server = await withProxy(t);
  const cases: Array<[unknown, string]> = [
    [{ fraction: 1.5 }, 'clients.fraction: must be <= 1'],
    [{ addresses: ['nowhere'] }, 'clients.addresses.0: must be an IP address'],
    [{ ids: [-1] }, 'clients.ids.0: must be >= 1'],
    [{ ids: [1], fraction: 0.5 }, 'clients: give one of fraction, addresses, ids'],
    ['all', 'clients: must be an object'],
  ];
  for (const [clients, message] of cases) {
    const res = await call(server, 'POST', '/proxies/p/toxics', { type: 'drop', clients });
    t.equal(res.status, 400, JSON.stringify(clients));
    t.match(res.json.error, message, message);
  }
  t.same((await call(server, 'GET', '/proxies/p/toxics')).json, [], 'nothing was added');
  await call(server, 'POST', '/proxies/p/toxics', { name: 'x', type: 'drop', clients: { ids: [1] } });
  const res = await call(server, 'PATCH', '/proxies/p/toxics/x', { clients: { seed: 3 } });
  t.same([res.status, res.json.error], [400, 'clients.seed: unknown selector (give one of fraction, addresses, ids)']);
  t.same((await call(server, 'GET', '/proxies/p/toxics/x')).json.clients, { ids: [1] }, 'the toxic is unchanged');
});

t.test('a config file takes clients on a toxic and names the field of a bad one', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'faultline-clients-'));
  const entry = (clients: unknown) => [{ name: 'p', listen: '127.0.0.1:0', upstream: '127.0.0.1:1', toxics: [{ type: 'drop', clients }] }];
  const good = join(dir, 'good.json');
  await writeFile(good, JSON.stringify(entry({ fraction: 0.25, seed: 9 })));
  t.same((await readConfig(good))[0]?.toxics?.[0]?.clients, { fraction: 0.25, seed: 9 });
  const bad = join(dir, 'bad.json');
  await writeFile(bad, JSON.stringify(entry({ fraction: -1 })));
  await t.rejects(readConfig(bad), { code: 'ERR_CONFIG', message: /proxy 1 \("p"\): toxics\[0\]\.clients\.fraction: must be >= 0/ });
});
