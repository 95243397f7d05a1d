import { connect, type Socket } from 'node:net';
import t from 'tap';
import { Toxiproxy } from 'toxiproxy-node-client';
import { builtinScenarios } from '../../harness/builtins.js';
import { runScenarios } from '../../harness/run-scenarios.js';
import { startHttpUpstream } from '../../harness/upstreams/http.js';
import { apiServer, call } from '../helpers/api.js';
import { faultline } from '../helpers/cli.js';
import { outcome } from '../helpers/net.js';

const auth = { authorization: 'Bearer s3cret' };

t.test('with a token, every request but GET /version needs Authorization: Bearer <token>', async (t) => {
  const server = await apiServer(t, { token: 's3cret' });
  t.equal((await call(server, 'GET', '/version')).status, 200, '/version stays open for readiness probes');
  const none = await call(server, 'GET', '/proxies');
  t.equal(none.status, 401);
  t.match(none.json, { error: /Authorization: Bearer/, status: 401 });
  t.equal(none.headers.get('www-authenticate'), 'Bearer');
  t.equal((await call(server, 'GET', '/proxies', undefined, { authorization: 'Bearer wrong' })).status, 401);
  t.equal((await call(server, 'POST', '/proxies', { name: 'p', upstream: 'x:1', enabled: false })).status, 401);
  t.equal((await call(server, 'GET', '/proxies', undefined, auth)).json !== undefined, true);
  t.same((await call(server, 'GET', '/proxies', undefined, auth)).json, {}, 'the rejected create changed nothing');
  t.equal((await call(server, 'GET', '/metrics')).status, 401);
  t.equal((await call(server, 'GET', '/events')).status, 401, 'the event stream too');
});

t.test('the CLI and the harness send the token', async (t) => {
  const server = await apiServer(t, { token: 's3cret' });
  const denied = await faultline(['--url', server.url, 'list']);
  t.equal(denied.code, 1);
  t.match(denied.stderr, /HTTP 401/);
  t.equal((await faultline(['--url', server.url, '--token', 's3cret', 'list'])).code, 0);
  t.equal((await faultline(['--url', server.url, 'list'], { FAULTLINE_TOKEN: 's3cret' })).code, 0);

  const http = await startHttpUpstream();
  t.teardown(() => http.close());
  const [result] = await runScenarios({
    proxyUrl: server.url,
    probe: 'http',
    token: 's3cret',
    upstream: { address: http.address, ledger: async () => http.ledger() },
    scenarios: await builtinScenarios(['connection_recovery']),
    sameProcess: true,
  });
  t.match(result, { passed: true, metrics: { fault_timing_source: 'proxy-event' } }, 'runs, events included');
  await t.rejects(new Toxiproxy(server.url).getAll(), 'a client without the token is refused');
});

t.test('a request with an Origin header not on the allow list gets 403', async (t) => {
  const server = await apiServer(t, { allowedOrigins: ['http://dashboard.local:3000'] });
  const evil = await call(server, 'POST', '/reset', undefined, { origin: 'http://evil.example' });
  t.equal(evil.status, 403);
  t.match(evil.json.error, /origin "http:\/\/evil\.example" is not allowed/);
  t.equal((await call(server, 'GET', '/proxies', undefined, { origin: 'http://dashboard.local:3000' })).status, 200);
  t.equal((await call(server, 'GET', '/proxies')).status, 200, 'no Origin header: not a browser page');
  const open = await apiServer(t);
  t.equal((await call(open, 'GET', '/proxies', undefined, { origin: 'null' })).status, 403, 'no origin is allowed by default');
});

t.test('proxy and toxic names that would break paths, logs or labels are rejected, naming the field', async (t) => {
  const server = await apiServer(t);
  for (const name of ['a/b', 'line\nbreak', 'x'.repeat(129), '-dash', 'quote"', 'pct%20', '']) {
    const res = await call(server, 'POST', '/proxies', { name, upstream: 'x:1', enabled: false });
    t.equal(res.status, 400, JSON.stringify(name));
    t.match(res.json.error, /name/);
  }
  t.equal((await call(server, 'POST', '/proxies', { name: 'my proxy-1.a_b', upstream: 'x:1', enabled: false })).status, 201);
  const toxic = await call(server, 'POST', '/proxies/my%20proxy-1.a_b/toxics', { name: 'bad/name', type: 'noop' });
  t.equal(toxic.status, 400);
  t.match(toxic.json.error, /^name: /);
  const populate = await call(server, 'POST', '/populate', [{ name: 'ok', upstream: 'x:1', enabled: false }, { name: 'no/pe', upstream: 'x:1' }]);
  t.equal(populate.status, 400);
  t.match(populate.json.error, /name at proxy 2/);
  t.same(Object.keys((await call(server, 'GET', '/proxies')).json), ['my proxy-1.a_b'], 'nothing of the bad populate was applied');
});

/** Opens a connection that sends an HTTP request's headers one byte at a time, forever. */
function slowloris(port: number): Socket {
  const socket = connect({ host: '127.0.0.1', port });
  socket.on('error', () => undefined);
  const text = 'GET /proxies HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'a'.repeat(10_000);
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed) clearInterval(timer);
    else socket.write(text[i++ % text.length] as string);
  }, 200);
  socket.once('close', () => clearInterval(timer));
  return socket;
}

t.test('slowloris: many connections sending headers a byte at a time do not make the API unusable', async (t) => {
  const server = await apiServer(t, { limits: { headersTimeoutMs: 1500, maxConnections: 400 } });
  const port = Number(new URL(server.url).port);
  const median = async (): Promise<number> => {
    const times: number[] = [];
    for (let i = 0; i < 30; i++) {
      const start = performance.now();
      t.equal((await call(server, 'GET', '/proxies')).status, 200);
      times.push(performance.now() - start);
    }
    return times.sort((a, b) => a - b)[15] as number;
  };
  const before = await median();
  const attackers = Array.from({ length: 300 }, () => slowloris(port));
  t.teardown(() => attackers.forEach((s) => s.destroy()));
  await new Promise((r) => setTimeout(r, 500));
  const during = await median();
  // Side by side, so a loaded machine slows both alike: the attack may not make the API much slower.
  t.ok(during <= 3 * before + 5, `API median ${during.toFixed(1)} ms with 300 slow clients, ${before.toFixed(1)} ms without`);
  const cut = await Promise.all(attackers.slice(0, 20).map(outcome));
  t.equal(cut.length, 20, `slow senders are cut by the headers timeout (${[...new Set(cut)].join(', ')})`);
});

t.test('the connection limit keeps the API from taking every file descriptor', async (t) => {
  const server = await apiServer(t, { limits: { maxConnections: 20 } });
  const port = Number(new URL(server.url).port);
  const idle = Array.from({ length: 30 }, () => connect({ host: '127.0.0.1', port }));
  t.teardown(() => idle.forEach((s) => s.destroy()));
  const within = (s: Socket): Promise<unknown> => Promise.race([outcome(s), new Promise((r) => setTimeout(() => r('still open'), 3000).unref())]);
  const refused = (await Promise.all(idle.slice(20).map(within))).filter((o) => o !== 'still open');
  t.equal(refused.length, 10, 'connections beyond the limit are closed at once');
  idle.slice(0, 20).forEach((s) => s.destroy());
  // The server frees a slot once it has seen the close: ask until it has (a loaded machine may take a while).
  let status = 0;
  for (let tries = 0; tries < 100 && status !== 200; tries++) {
    status = await call(server, 'GET', '/version').then((r) => r.status, () => 0);
    if (status !== 200) await new Promise((r) => setTimeout(r, 50));
  }
  t.equal(status, 200, 'freed slots serve again');
});
