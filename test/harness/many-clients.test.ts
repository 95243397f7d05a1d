/**
 * A 200-client scenario end to end (in-process server, demo http upstream, real sockets): every
 * client's figures in the window are checked against its own attempts, and its writes against the
 * server's ledger; the result round-trips through its schema; the reporters render the parts made
 * for many clients.
 */
import t from 'tap';
import { consoleDetails } from '../../harness/reporters/console.js';
import { historyOf } from '../../harness/reporters/history.js';
import { renderHtml } from '../../harness/reporters/html.js';
import type { ScenarioResult } from '../../harness/result.js';
import { readResults } from '../../harness/result-schema.js';
import { parseScenario } from '../../harness/scenario.js';
import type { RequestEntry } from '../../harness/timeline.js';
import { runDemo, schemaErrors } from '../helpers/harness.js';

const CLIENTS = 200;

const scenario = parseScenario(
  {
    name: 'two_hundred_clients',
    type: 'ManyClients',
    title: '200 clients, one partition',
    paths: [{ name: 'primary', clients: CLIENTS }],
    rate: 4,
    steps: [{ send: 2 }, { partition: { mode: 'drop' } }, { send: 2 }, { heal: {} }, { send: 2 }],
    expect: {},
    // One process answers all 200: generous timeouts, so a loaded machine shows as latency, not failures.
    policy: { timeout_ms: 4000 },
  },
  'test',
);

t.test('200 clients: per-client outcomes match their attempts and the ledger; schema and reporters', async (t) => {
  const { results, upstream } = await runDemo(t, 'http', [scenario]);
  const result = results[0] as ScenarioResult;
  const ledger = upstream.ledger();
  const window = result.windows[0];
  t.ok(window?.clients, 'the window has figures over the clients');
  if (!window?.clients) return;
  const healed = window.healed_ms as number;
  const requests = result.timeline.filter((e): e is RequestEntry => e.type === 'request');
  const replayed = new Set(result.timeline.flatMap((e) => (e.type === 'replay' && e.ok ? [e.id] : [])));
  t.equal(new Set(requests.map((r) => r.id)).size, requests.length, 'every request id is unique');
  t.equal(window.clients.count, CLIENTS);
  t.equal(window.clients.outcomes.length, CLIENTS, 'an outcome per client');

  let recoveredMax = 0;
  for (let c = 0; c < CLIENTS; c++) {
    const mine = requests.filter((r) => r.client === c);
    const attempts = mine.flatMap((r) => r.attempts).sort((a, b) => a.end - b.end);
    const firstFail = attempts.find((a) => !a.ok && a.end >= window.applied_ms && a.start < healed);
    const firstOk = attempts.find((a) => a.ok && a.end >= healed);
    const outcome = window.clients.outcomes[c];
    const expected = firstFail === undefined ? 'unaffected' : firstOk === undefined ? 'unrecovered' : 'recovered';
    if (outcome?.client !== c || outcome.outcome !== expected) t.fail(`client ${c}: ${JSON.stringify(outcome)}, its attempts say ${expected}`);
    if (firstFail && Math.abs((outcome?.detection_ms ?? NaN) - (firstFail.end - window.applied_ms)) > 0.02) t.fail(`client ${c}: detection ${outcome?.detection_ms}`);
    if (firstFail && firstOk) {
      recoveredMax = Math.max(recoveredMax, firstOk.end - healed);
      if (Math.abs((outcome?.recovery_ms ?? NaN) - (firstOk.end - healed)) > 0.02) t.fail(`client ${c}: recovery ${outcome?.recovery_ms}`);
    }
    // Its writes against the server's ledger: acknowledged (or replayed) ones were applied, and the lost count is what the ledger lacks.
    const writes = mine.filter((r) => r.kind === 'write');
    const missing = writes.filter((r) => !ledger.has(r.id));
    const figures = result.paths['primary']?.clients?.per_client[c];
    if (figures?.requests !== 6 || figures.lost_writes !== missing.length) t.fail(`client ${c}: ${JSON.stringify(figures)}, ledger misses ${missing.length}`);
    for (const w of writes) if ((w.outcome === 'ok' || replayed.has(w.id)) && !ledger.has(w.id)) t.fail(`client ${c}: ${w.id} acknowledged, not in the ledger`);
  }
  t.equal(window.clients.affected, CLIENTS, 'a drop of every connection affects every client that sends during it');
  t.equal(window.clients.recovered + window.clients.unrecovered, window.clients.affected);
  t.equal(window.clients.detection_ms.samples, CLIENTS);
  if (window.clients.unrecovered === 0) t.ok(Math.abs((window.clients.all_recovered_ms as number) - recoveredMax) < 0.02, 'all recovered = the slowest client');
  t.equal(window.clients.recovery_ms.max, window.clients.unrecovered === 0 ? window.clients.all_recovered_ms : window.clients.recovery_ms.max);
  t.equal(result.metrics.total_requests, CLIENTS * 6, 'six requests per client');
  t.equal(window.reconnect?.bucket_ms, 10, 'the reconnect wave is measured');
  t.ok((window.reconnect?.connections ?? 0) >= window.clients.recovered, 'every recovered client reconnected at least once');
  t.ok((result.harness?.cpu_ms ?? 0) > 0 && result.harness?.requests === CLIENTS * 6, `harness overhead recorded: ${JSON.stringify({ ...result.harness, lag_spans: result.harness?.lag_spans.length })}`);

  t.same(schemaErrors(results), [], 'the result matches harness/result.schema.json');
  t.same(readResults(JSON.stringify(results)), JSON.parse(JSON.stringify(results)), 'and reads back unchanged');

  const html = renderHtml(results);
  t.match(html, /<svg class="heat-strip"[^>]*aria-label="primary: 200 clients over time/, 'a heat strip of the clients');
  t.notMatch(html, /<svg class="timeline"/, 'instead of a mark per request');
  t.match(html, /<svg class="histogram"[^>]*aria-label="detection over clients"/);
  t.match(html, /<svg class="histogram"[^>]*aria-label="recovery over clients"/);
  t.match(html, /<svg class="reconnect-wave"/);
  const history = historyOf(results);
  const processes = new Map<number, string[]>();
  for (const op of history) processes.set(op.process, [...(processes.get(op.process) ?? []), op.type]);
  t.ok(processes.size >= CLIENTS, `a process per client at least (${processes.size})`);
  t.ok([...processes.values()].every((types) => types.every((type, i) => (i % 2 === 0) === (type === 'invoke'))), 'no process has two operations open');
  const text = consoleDetails(results);
  t.match(text, new RegExp(`partition:drop @[\\d.]+ms: ${CLIENTS}/${CLIENTS} clients affected`));
  t.match(text, /detection over clients p50 [\d.]+ms p99 [\d.]+ms max [\d.]+ms; recovery p50/);
  t.match(text, /reconnect wave: \d+ connections, peak \d+ per 10 ms/);
});
