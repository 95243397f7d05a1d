import { createServer } from 'node:http';
import t from 'tap';
import { fetchLedger } from '../../harness/upstreams/ledger.js';
import { parseLedgerDocument } from '../../harness/upstreams/ledger-document.js';
import { listen } from '../helpers/net.js';

const asObject = (ledger: ReadonlyMap<string, number>): Record<string, number> => Object.fromEntries(ledger);

t.test('every documented ledger shape reads into the same ledger', async (t) => {
  t.same(asObject(parseLedgerDocument({ applied: [{ id: 'a', count: 2, first_ms: 1733212345678 }, { id: 'b' }] })), { a: 2, b: 1 }, '{"applied": [{id, count, first_ms}]}, count defaults to 1');
  t.same(asObject(parseLedgerDocument(['a', 'b', 'a'])), { a: 2, b: 1 }, 'a plain id array: each mention counts once');
  t.same(asObject(parseLedgerDocument({ kind: 'http', applied: { a: 1, b: 3 } })), { a: 1, b: 3 }, 'faultline\'s {"applied": {id: count}}');
  t.same(asObject(parseLedgerDocument({ applied: [{ id: 'a', count: 1 }, { id: 'a', count: 1 }] })), { a: 2 }, 'repeated entries add up');
  t.same(asObject(parseLedgerDocument([])), {}, 'an empty ledger');
});

t.test('a document that is not a ledger is refused, naming the field', async (t) => {
  t.throws(() => parseLedgerDocument({ ids: [] }), /^expected \{"applied": \[\{"id", "count", "first_ms"\}\]\}, a plain array of ids, or \{"applied": \{"<id>": <count>\}\}$/);
  t.throws(() => parseLedgerDocument({ applied: [{ id: 'a' }, { id: 'b', count: -1 }] }), /applied\[1\]\.count must be a whole number ≥ 0/);
  t.throws(() => parseLedgerDocument({ applied: [{ id: 'a', first_ms: 'yesterday' }] }), /applied\[0\]\.first_ms must be a number/);
  t.throws(() => parseLedgerDocument(['a', 7]), /^\[1\] must be an id or \{"id", "count", "first_ms"\}/);
  t.throws(() => parseLedgerDocument({ applied: { a: 'once' } }), /applied\["a"\] must be a whole number ≥ 0/);
});

t.test('fetchLedger reads any GET URL and says what is wrong with what it got', async (t) => {
  const bodies: Record<string, string> = { '/ids': '["x","y"]', '/bad': '{"applied":[{"id":""}]}', '/text': 'ok' };
  const port = await listen(t, createServer((req, res) => res.end(bodies[req.url ?? ''] ?? '')));
  t.same(asObject(await fetchLedger(`http://127.0.0.1:${port}/ids`)), { x: 1, y: 1 });
  await t.rejects(fetchLedger(`http://127.0.0.1:${port}/bad`), { message: `GET http://127.0.0.1:${port}/bad: not a ledger: applied[0] must be an id or {"id", "count", "first_ms"} with a non-empty string id` });
  await t.rejects(fetchLedger(`http://127.0.0.1:${port}/text`), { message: /^GET http:\/\/127\.0\.0\.1:\d+\/text: not JSON \(a ledger is / });
});
