import fc from 'fast-check';
import t from 'tap';
import type { RunningServer } from '../../proxy/api/server.js';
import { apiServer, call, type Answer } from '../helpers/api.js';
import { echoServer } from '../helpers/net.js';

const SEED = 20_260_517;
const RUNS = 300;

/** Every route template of the API, plus unknown ones; `:p` and `:t` are filled in by the generator. */
const ROUTES = [
  '/proxies',
  '/populate',
  '/reset',
  '/version',
  '/metrics',
  '/proxies/:p',
  '/proxies/:p/toxics',
  '/proxies/:p/toxics/:t',
  '/proxies/:p/toxics/:t/extra',
  '/nowhere',
];
const METHODS = ['GET', 'POST', 'PATCH', 'DELETE', 'PUT', 'OPTIONS', 'HEAD'];
const TYPES = ['latency', 'bandwidth', 'slow_close', 'timeout', 'reset_peer', 'slicer', 'limit_data', 'noop', 'down', ''];
const ATTRIBUTES = ['latency', 'jitter', 'rate', 'delay', 'timeout', 'average_size', 'size_variation', 'bytes', 'LATENCY'];

/** Any small JSON-ish value, including the wrong types for every field. */
const value = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);

/** Listen addresses that bind loopback or wildcard ephemeral ports, or cannot be used at all. */
const listen = fc.oneof(
  fc.constantFrom('127.0.0.1:0', 'localhost:0', '', '[::1]:0', 'garbage', ':99999', 'local373', '127.0.0.1:'),
  fc.string({ maxLength: 10 }),
  value,
);

const proxyBody = fc.record(
  {
    name: fc.oneof({ weight: 3, arbitrary: fc.constantFrom('p', 'q', 'new', '') }, value),
    listen,
    upstream: fc.oneof({ weight: 3, arbitrary: fc.constant('127.0.0.1:1') }, value),
    enabled: fc.oneof(fc.boolean(), value),
    toxics: fc.oneof(fc.constant(null), value, fc.array(fc.record({ type: fc.constantFrom(...TYPES) }), { maxLength: 2 })),
  },
  { requiredKeys: ['name', 'upstream'] },
);

const toxicBody = fc.record(
  {
    name: fc.oneof(fc.constantFrom('latency_downstream', 'n', 'fresh', ''), value),
    type: fc.oneof(fc.constantFrom(...TYPES), value),
    stream: fc.oneof(fc.constantFrom('upstream', 'downstream', 'UPSTREAM', 'sideways', ''), value),
    toxicity: fc.oneof(fc.double({ min: -1, max: 2, noNaN: true }), value),
    attributes: fc.oneof(fc.dictionary(fc.constantFrom(...ATTRIBUTES), value, { maxKeys: 4 }), value),
  },
  { requiredKeys: [] },
);

/** A request body: nothing, random text, random JSON, or something shaped like what a route reads. */
const body = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 40 }),
  fc.json({ maxDepth: 3 }),
  { weight: 3, arbitrary: proxyBody.map((b) => JSON.stringify(b)) },
  { weight: 3, arbitrary: toxicBody.map((b) => JSON.stringify(b)) },
  { weight: 2, arbitrary: fc.array(proxyBody, { maxLength: 3 }).map((b) => JSON.stringify(b)) },
  fc.tuple(proxyBody, fc.string({ maxLength: 10 })).map(([b, tail]) => JSON.stringify(b) + tail),
);

const segment = (known: string[]) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...known) },
    { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 8 }).map(encodeURIComponent) },
    { weight: 1, arbitrary: fc.constant('%zz') },
  );

/** The routes with the methods they serve; most requests use one of these, the rest anything. */
const SERVED: Array<[string, string]> = [
  ['GET', '/proxies'],
  ['POST', '/proxies'],
  ['POST', '/populate'],
  ['POST', '/reset'],
  ['GET', '/version'],
  ['GET', '/proxies/:p'],
  ['POST', '/proxies/:p'],
  ['PATCH', '/proxies/:p'],
  ['DELETE', '/proxies/:p'],
  ['GET', '/proxies/:p/toxics'],
  ['POST', '/proxies/:p/toxics'],
  ['GET', '/proxies/:p/toxics/:t'],
  ['POST', '/proxies/:p/toxics/:t'],
  ['PATCH', '/proxies/:p/toxics/:t'],
  ['DELETE', '/proxies/:p/toxics/:t'],
];

const request = fc.record({
  route: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...SERVED) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...METHODS), fc.constantFrom(...ROUTES)) },
  ),
  proxy: segment(['p', 'q', 'nope']),
  toxic: segment(['latency_downstream', 'n', 'nope']),
  body,
  contentType: fc.constantFrom(undefined, 'application/json', 'text/plain', 'application/x-www-form-urlencoded'),
});

/** Puts the server back in its starting state: proxy `p` (two toxics, enabled) and `q` (disabled). */
async function baseline(server: RunningServer, upstream: number): Promise<void> {
  for (const name of Object.keys((await call(server, 'GET', '/proxies')).json)) {
    await call(server, 'DELETE', `/proxies/${encodeURIComponent(name)}`);
  }
  await call(server, 'POST', '/proxies', {
    name: 'p',
    listen: '127.0.0.1:0',
    upstream: `127.0.0.1:${upstream}`,
    toxics: [
      { type: 'latency', attributes: { latency: 1 } },
      { name: 'n', type: 'noop', stream: 'upstream' },
    ],
  });
  await call(server, 'POST', '/proxies', { name: 'q', listen: '127.0.0.1:0', upstream: 'x:1', enabled: false });
}

/** Whether a 500 is a listen failure (an unusable or taken listen address), the only 5xx Toxiproxy has. */
function isListenFailure(res: Answer): boolean {
  return res.status === 500 && /^(listen tcp|address )/.test(String(res.json?.error));
}

t.test('random and malformed requests never cause a 5xx (but listen failures) and rejected ones change nothing', async (t) => {
  const server = await apiServer(t);
  const upstream = await echoServer(t);
  await baseline(server, upstream);
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(request, async ({ route: [method, route], proxy, toxic, body: text, contentType }) => {
      const path = route.replace(':p', proxy).replace(':t', toxic);
      const before = (await call(server, 'GET', '/proxies')).text;
      const headers: Record<string, string> = contentType === undefined ? {} : { 'content-type': contentType };
      const sendsBody = text !== undefined && method !== 'GET' && method !== 'HEAD';
      const res = await call(server, method, path, sendsBody ? text : undefined, headers);
      if (res.status >= 500 && !isListenFailure(res)) throw new Error(`${method} ${path} → ${res.status} ${res.text}`);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const after = (await call(server, 'GET', '/proxies')).text;
      if (res.status >= 400 && res.status < 500 && after !== before) {
        throw new Error(`${method} ${path} → ${res.status} changed the state`);
      }
      if (after !== before) await baseline(server, upstream);
    }),
    { seed: SEED, numRuns: RUNS },
  );
  const seen = [...statuses].sort(([a], [b]) => a - b);
  t.comment(`statuses: ${seen.map(([status, n]) => `${status}×${n}`).join(' ')}`);
  t.ok([200, 201, 204, 400, 404, 405, 409, 500].every((s) => statuses.has(s)), 'the requests reached every kind of answer');
  t.equal((await call(server, 'GET', '/version')).status, 200, 'the server is alive afterwards');
});

t.test('random bodies on the body-reading routes never cause a 5xx but listen failures', async (t) => {
  const server = await apiServer(t);
  const upstream = await echoServer(t);
  await baseline(server, upstream);
  const routes: Array<[string, string]> = [
    ['POST', '/proxies'],
    ['POST', '/populate'],
    ['POST', '/proxies/p'],
    ['PATCH', '/proxies/q'],
    ['POST', '/proxies/p/toxics'],
    ['PATCH', '/proxies/p/toxics/latency_downstream'],
    ['POST', '/proxies/p/toxics/n'],
  ];
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...routes), body, async ([method, path], text) => {
      const before = (await call(server, 'GET', '/proxies')).text;
      const res = await call(server, method, path, text);
      if (res.status >= 500 && !isListenFailure(res)) throw new Error(`${method} ${path} → ${res.status} ${res.text}`);
      const after = (await call(server, 'GET', '/proxies')).text;
      if (res.status >= 400 && res.status < 500 && after !== before) {
        throw new Error(`${method} ${path} ${text} → ${res.status} changed the state`);
      }
      if (after !== before) await baseline(server, upstream);
    }),
    { seed: SEED + 1, numRuns: RUNS },
  );
  t.equal((await call(server, 'GET', '/proxies/p')).status, 200, 'the server is alive afterwards');
});
