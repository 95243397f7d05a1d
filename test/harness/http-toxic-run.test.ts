/** Scenarios with an http_status toxic step, run end to end by the harness with the HTTP probe against the demo upstream, on faultline and on plain Toxiproxy. */
import t from 'tap';
import { createServer } from 'node:http';
import { startServer } from '../../proxy/api/server.js';
import { runScenarios } from '../../harness/run-scenarios.js';
import { parseScenario } from '../../harness/scenario.js';
import { demoUpstream, runDemo, schemaErrors } from '../helpers/harness.js';
import { listen } from '../helpers/net.js';

t.test('"fail the first 4 requests" as a scenario step: exactly 4 requests fail in its window, the ledger reconciles', async (t) => {
  const scenario = parseScenario(
    {
      name: 'first_requests_fail',
      type: 'FirstRequestsFail',
      title: 'The first requests get 503',
      policy: { attempts: 1, timeout_ms: 2000 },
      steps: [{ send: 3 }, { toxic: { type: 'http_status', attributes: { count: 4 } } }, { send: 6 }, { heal: {} }, { send: 3 }],
      expect: { connection_lost: true, recovery_success: true, data_lost: false },
    },
    'test',
  );
  const { results, upstream } = await runDemo(t, 'http', [scenario]);
  const [result] = results;
  t.same(schemaErrors(results), []);
  t.equal(result?.passed, true, result?.error_message ?? 'passed');
  t.match(result?.windows, [{ fault: 'toxic:http_status', requests: 6, failed_requests: 4 }]);
  t.same(result?.ledger.lost, []);
  t.same(result?.ledger.applied_unacknowledged, [], 'a request answered 503 by the toxic was never applied');
  t.equal([...upstream.ledger().values()].reduce((a, b) => a + b, 0), result?.ledger.acknowledged, 'the upstream applied each acknowledged write once');
});

t.test('against a server without faultline\'s extensions the scenario is not run, and the result names the step', async (t) => {
  const faultline = await startServer({ host: '127.0.0.1', port: 0, seed: '1' });
  t.teardown(() => faultline.close());
  // Plain Toxiproxy as the harness sees it: /version is a bare "2.12.0"; everything else is forwarded.
  const plain = createServer(async (req, res) => {
    if (req.url === '/version') return void res.end('2.12.0');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const init: RequestInit = { method: req.method ?? 'GET', headers: { 'content-type': 'application/json' } };
    if (chunks.length) init.body = Buffer.concat(chunks);
    const answer = await fetch(faultline.url + (req.url ?? '/'), init);
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' });
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  const port = await listen(t, plain);
  const upstream = await demoUpstream(t, 'http');
  const scenario = parseScenario(
    { name: 'on_toxiproxy', type: 'OnToxiproxy', title: 'x', steps: [{ send: 2 }, { toxic: { type: 'http_status', attributes: { count: 1 } } }, { send: 2 }], expect: {} },
    'test',
  );
  const results = await runScenarios({
    proxyUrl: `http://127.0.0.1:${port}`,
    probe: 'http',
    upstream: { address: upstream.address, ledger: async () => upstream.ledger() },
    scenarios: [scenario],
    seed: '1',
  });
  t.equal(results[0]?.passed, false);
  t.equal(results[0]?.error_message, 'not run: steps[1].toxic.type: Toxiproxy 2.12.0 has no "http_status" toxic (a faultline toxic)');
  t.equal(upstream.ledger().size, 0, 'nothing was sent');
});
