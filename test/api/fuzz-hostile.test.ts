import fc from 'fast-check';
import t from 'tap';
import type { RunningServer } from '../../proxy/api/server.js';
import { apiServer, call } from '../helpers/api.js';
import { echoServer } from '../helpers/net.js';

const SEED = 7_041_977;
const RUNS = 2000;

/** What a 4xx from a body-reading route must talk about: the body, or the field it got wrong. */
const NAMES_WHAT = /bad request body|missing required field|name|toxicity|attributes|stream|type|mode|upstream|listen|enabled|toxics|proxy not found|toxic not found|connection|already exists|too large|not allowed|page not found|content-length|request body|header/i;

const hostileSegment = fc.oneof(
  fc.constantFrom('p', 'q', '..', '.', '%2e%2e', '%2F', '%00', '%ff', '%zz', 'a%20b', 'x'.repeat(300), 'é', '💥', '..%2f..', '1'),
  fc.string({ minLength: 1, maxLength: 30 }).map(encodeURIComponent),
  fc.string({ minLength: 1, maxLength: 5000 }).map((s) => encodeURIComponent(s).slice(0, 8000)),
);

const path = fc.oneof(
  fc.tuple(fc.constantFrom('/proxies', '/proxies/', '/populate', '/reset', '/version', '/metrics', '/events', '//proxies', '/proxies/..'), fc.constant('')).map(([a]) => a),
  hostileSegment.map((p) => `/proxies/${p}`),
  fc.tuple(hostileSegment, hostileSegment).map(([p, x]) => `/proxies/${p}/toxics/${x}`),
  fc.tuple(hostileSegment, hostileSegment).map(([p, x]) => `/proxies/${p}/connections/${x}`),
  hostileSegment.map((p) => `/proxies/${p}/connections?mode=${p}`),
  fc.tuple(hostileSegment, hostileSegment, hostileSegment).map((s) => `/${s.join('/')}`),
);

/** Nested arrays `depth` deep. */
const deep = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

const body = fc.oneof(
  fc.constant(undefined),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
  fc.constantFrom(
    Buffer.from([0xff, 0xfe, 0x7b, 0x22, 0xc3, 0x28]),
    Buffer.from('{"name":"\ud800","upstream":"x:1"}'),
    deep(10_000),
    `{"name":"p2","upstream":"x:1","listen":"127.0.0.1:0","enabled":${'9'.repeat(400)}}`,
    '{"name":"p2","upstream":"x:1","enabled":false,"toxics":[{"type":"latency","attributes":{"latency":1e308}}]}',
    '{"attributes":{"latency":-0.0000001}}',
    '{"toxicity":1e-400}',
    '[{"name":"p3","upstream":"x:1","enabled":false},{"name":"p3","upstream":"y:1","enabled":false}]',
    '{"type":"flaky","attributes":{"rate":"0.5"}}',
    '{"__proto__":{"polluted":1},"name":"p4","upstream":"x:1","enabled":false}',
    '{"constructor":{"prototype":{"polluted":1}}}',
    'null',
    '"string"',
    'x'.repeat(1_100_000),
  ),
  fc.json({ maxDepth: 6 }),
  fc.jsonValue().map((v) => JSON.stringify({ name: 'p5', upstream: 'x:1', enabled: false, toxics: [v] })),
  fc.jsonValue().map((v) => JSON.stringify({ type: 'latency', attributes: v })),
);

const headers = fc.dictionary(
  fc.constantFrom('content-type', 'x-custom', 'accept', 'content-encoding', 'transfer-encoding', 'x-forwarded-for', 'authorization', 'user-agent'),
  fc.oneof(fc.constantFrom('application/json', 'text/plain', 'gzip', 'chunked', 'Bearer x', 'curl/8', ''), fc.string({ maxLength: 20 }).map((s) => s.replace(/[^\x20-\x7e]/g, ''))),
  { maxKeys: 3 },
);

/** Anything, anywhere. */
const anyRequest = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE', 'PUT', 'OPTIONS', 'HEAD', 'TRACE'),
  path,
  body,
  headers,
});

/** Hostile bodies where a body is read: the routes that change state. */
const bodyRequest = fc.record({
  method: fc.constantFrom('POST', 'PATCH'),
  path: fc.constantFrom('/proxies', '/populate', '/proxies/p', '/proxies/q', '/proxies/p/toxics', '/proxies/p/toxics/latency_downstream', '/reset'),
  body,
  headers,
});

const request = fc.oneof({ weight: 2, arbitrary: bodyRequest }, { weight: 1, arbitrary: anyRequest });

async function baseline(server: RunningServer, upstream: number): Promise<void> {
  for (const name of Object.keys((await call(server, 'GET', '/proxies')).json)) await call(server, 'DELETE', `/proxies/${encodeURIComponent(name)}`);
  await call(server, 'POST', '/proxies', { name: 'p', listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstream}`, toxics: [{ type: 'latency', attributes: { latency: 1 } }] });
  await call(server, 'POST', '/proxies', { name: 'q', listen: '127.0.0.1:0', upstream: 'x:1', enabled: false });
}

t.test(`${RUNS} hostile requests on every route: no crash, no 5xx but listen failures, rejected ones change nothing and say why`, async (t) => {
  const server = await apiServer(t);
  const upstream = await echoServer(t);
  await baseline(server, upstream);
  const statuses = new Map<number, number>();
  let accepted = 0;
  await fc.assert(
    fc.asyncProperty(request, async ({ method, path: target, body: payload, headers: extra }) => {
      if (extra['transfer-encoding'] !== undefined || extra['content-encoding'] !== undefined) delete extra['transfer-encoding'];
      const before = (await call(server, 'GET', '/proxies')).text;
      const init: RequestInit = { method, headers: extra, redirect: 'manual', signal: AbortSignal.timeout(10_000) };
      if (payload !== undefined && method !== 'GET' && method !== 'HEAD') init.body = payload;
      let status: number;
      let text: string;
      try {
        const response = await fetch(server.url + target, init);
        status = response.status;
        if (response.headers.get('content-type') === 'text/event-stream') {
          await response.body?.cancel();
          text = '';
        } else text = await response.text();
      } catch (err) {
        // fetch itself refuses some requests (e.g. TRACE, bad header values): nothing reached the server.
        if (/not allowed|invalid|forbidden|TRACE/i.test(String((err as Error).message))) return;
        throw err;
      }
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status >= 500 && !/^\{"error":"(listen tcp|address )/.test(text)) throw new Error(`${method} ${target} → ${status} ${text.slice(0, 200)}`);
      if (status >= 400 && status !== 405 && status !== 404 && text.startsWith('{')) {
        const error = (JSON.parse(text) as { error?: unknown }).error;
        if (typeof error !== 'string' || !NAMES_WHAT.test(error)) throw new Error(`${method} ${target} → ${status} without saying what: ${text.slice(0, 200)}`);
      }
      const after = (await call(server, 'GET', '/proxies')).text;
      if (status >= 400 && after !== before) throw new Error(`rejected ${method} ${target} (${status}) changed the state`);
      if (status < 400 && after !== before) {
        accepted++;
        await baseline(server, upstream);
      }
    }),
    { seed: SEED, numRuns: RUNS, endOnFailure: true },
  );
  t.comment(`statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}, state-changing requests: ${accepted}`);
  t.equal((await call(server, 'GET', '/version')).status, 200, 'the server is alive');
  t.equal(({} as Record<string, unknown>)['polluted'], undefined, 'no prototype pollution');
  t.ok(statuses.size >= 5, 'the requests reached many different outcomes');
});
