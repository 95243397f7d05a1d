/** A scenario with an http_status toxic step, run end to end by the harness with the HTTP probe against the demo upstream. */
import t from 'tap';
import { parseScenario } from '../../harness/scenario.js';
import { runDemo, schemaErrors } from '../helpers/harness.js';

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
