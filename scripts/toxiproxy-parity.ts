/**
 * Sends the same requests to two control APIs (a `faultline server --toxiproxy-only` and a real
 * Toxiproxy, say) and prints every answer that differs: status, content type, body. Dates,
 * request ids and ephemeral ports are masked. Each server gets a proxy `parity` (deleted at the end).
 *
 *   node dist/scripts/toxiproxy-parity.js http://127.0.0.1:8474 http://127.0.0.1:8475
 */

/** One request: method, path, body (sent as is). */
type Request = readonly [string, string, string?];

const REQUESTS: readonly Request[] = [
  ['POST', '/proxies', '{"name":"parity","listen":"127.0.0.1:0","upstream":"127.0.0.1:1"}'],
  ['GET', '/version'],
  ...['drop', 'blackhole', 'flaky', 'cut_after', 'down'].map((type): Request => ['POST', '/proxies/parity/toxics', `{"type":"${type}","attributes":{}}`]),
  ['POST', '/proxies/parity/toxics', '{"stream":"upstream"}'],
  ['POST', '/proxies/parity/toxics', '{"type":"drop","stream":"sideways"}'],
  ['POST', '/proxies/parity/toxics', '{"type":"latency","name":"lat","attributes":{"latency":100,"jitter":10,"distribution":"pareto"}}'],
  ['POST', '/proxies/parity/toxics/lat', '{"attributes":{"distribution":"normal","latency":50}}'],
  ['PATCH', '/proxies/parity/toxics/lat', '{"attributes":{"distribution":"bogus"}}'],
  ['POST', '/proxies/parity/toxics', '{"type":"latency","name":"some","clients":{"fraction":0.5}}'],
  ['PATCH', '/proxies/parity/toxics/some', '{"clients":{"fraction":"half"},"attributes":{"latency":20}}'],
  ['POST', '/proxies/parity/toxics', '{"type":"noop"}'],
  ['GET', '/proxies/parity/toxics'],
  ['POST', '/proxies', '{"name":"parity2","listen":"127.0.0.1:0","upstream":"127.0.0.1:1","toxics":[{"type":"latency"}]}'],
  ['DELETE', '/version'],
  ...['/toxics', '/events', '/proxies/parity/connections', '/proxies/parity/connections/1', '/metrics'].flatMap((path): Request[] => [
    ['GET', path],
    ['POST', path],
    ['DELETE', path],
  ]),
  ['GET', '/proxies/nope'],
  ['GET', '/proxies/parity/toxics/nope'],
  ['POST', '/proxies', '{"name":"parity","upstream":"x:1"}'],
  ['DELETE', '/proxies/parity'],
  ['DELETE', '/proxies/parity2'],
];

/** What is compared of one answer. */
async function answer(base: string, [method, path, body]: Request): Promise<string> {
  try {
    // A stream (faultline's /events) never ends: an answer is what arrives within 2 s.
    const signal = AbortSignal.timeout(2000);
    const res = await fetch(base + path, { method, ...(body === undefined ? {} : { body }), redirect: 'manual', signal });
    const text = (await res.text()).replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT');
    return `${res.status} [${res.headers.get('content-type') ?? ''}] [${res.headers.get('x-content-type-options') ?? ''}] ${JSON.stringify(text)}`;
  } catch (err) {
    return `no whole answer within 2 s (${(err as Error).name})`;
  }
}

const [a, b] = process.argv.slice(2);
if (a === undefined || b === undefined) {
  console.error('usage: toxiproxy-parity <api-url-a> <api-url-b>');
  process.exit(2);
}
let differ = 0;
for (const request of REQUESTS) {
  const [left, right] = [await answer(a, request), await answer(b, request)];
  if (left === right) continue;
  differ++;
  console.log(`${request.join(' ')}\n  ${a}: ${left}\n  ${b}: ${right}`);
}
console.log(`${REQUESTS.length - differ} of ${REQUESTS.length} requests answered the same`);
process.exit(differ === 0 ? 0 : 1);
