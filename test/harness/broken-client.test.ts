import t from 'tap';
import { builtinScenarios } from '../../harness/builtins.js';
import { parseScenario } from '../../harness/scenario.js';
import { runDemo } from '../helpers/harness.js';

const failFast = { attempts: 1, queue: false, cache: false };

t.test('a fail-fast client without a queue fails the partition scenarios and loses the writes it gave up', async (t) => {
  const scenarios = await builtinScenarios(['full_connection_loss', 'connection_recovery', 'rapid_reconnect']);
  const { results, upstream } = await runDemo(t, 'http', scenarios, failFast);
  for (const r of results) {
    t.notOk(r.passed, `${r.test_name} fails: ${r.error_message}`);
    t.equal(r.data_lost, true, `${r.test_name}: data_lost`);
    t.ok(r.ledger.failed_not_applied.length > 0, `${r.test_name}: ${r.ledger.failed_not_applied.length} writes given up`);
    for (const id of r.ledger.failed_not_applied) t.notOk(upstream.ledger().has(id), `${id} really is missing from the ledger`);
  }
  t.equal(results[0]!.ledger.failed_not_applied.length, 10, 'full_connection_loss: exactly the 10 writes sent into the partition');
});

const resetOnReply = parseScenario(
  {
    name: 'reset_on_reply',
    type: 'ResetOnReply',
    title: 'Reset on the reply path',
    steps: [
      { send: 2 },
      { toxic: { type: 'reset_peer', stream: 'downstream', attributes: { timeout: 0 } } },
      { send: 2 },
      { heal: {} },
      { send: 2 },
    ],
    expect: { data_lost: false },
  },
  'test',
);

t.test('a reset on the reply path: a retrying client duplicates writes, a fail-fast one leaves them applied but unacknowledged', async (t) => {
  const retrying = (await runDemo(t, 'http', [resetOnReply], { attempts: 3, backoff_ms: 10 })).results[0]!;
  t.equal(retrying.data_lost, false, 'nothing lost');
  t.equal(retrying.ledger.duplicated.length, 2, `the two writes sent into the fault were applied more than once: ${retrying.ledger.duplicated}`);

  const failing = (await runDemo(t, 'http', [resetOnReply], failFast)).results[0]!;
  t.equal(failing.data_lost, false, 'nothing lost: the server did apply them');
  t.equal(failing.ledger.applied_unacknowledged.length, 2, `applied but unacknowledged: ${failing.ledger.applied_unacknowledged}`);
  t.equal(failing.ledger.duplicated.length, 0, 'and not duplicated');
});
