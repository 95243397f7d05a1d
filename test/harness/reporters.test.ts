import { PassThrough } from 'node:stream';
import t from 'tap';
import { builtinScenarios } from '../../harness/builtins.js';
import { consoleSummary } from '../../harness/reporters/console.js';
import { targetMet } from '../../harness/verdict.js';
import { resultsFileName } from '../../harness/reporters/json.js';
import { renderJunit } from '../../harness/reporters/junit.js';
import { progressReporter } from '../../harness/reporters/progress.js';
import type { ScenarioResult } from '../../harness/result.js';
import { runDemo } from '../helpers/harness.js';

t.test('reporters render real results: console summary, JUnit XML, progress lines', async (t) => {
  const [full] = await builtinScenarios(['full_connection_loss']);
  const good = (await runDemo(t, 'tcp', [full!])).results[0] as ScenarioResult;
  const bad = (await runDemo(t, 'tcp', [full!], { attempts: 1, queue: false })).results[0] as ScenarioResult;
  const results = [good, { ...bad, test_name: 'full_connection_loss <&"broken">' }];

  const summary = consoleSummary(results, 0.85);
  t.match(summary, /^=== Network Partition Test Summary ===\n\nTotal Tests: 2\nPassed: 1\nFailed: 1\nSuccess Rate: 50\.0%\n\nTest Results:\n/);
  t.match(summary, /\n {2}✓ PASS - full_connection_loss \(\d+\.\d{2}ms\) - Full Connection Loss\n/);
  t.match(summary, /\n {2}✗ FAIL - full_connection_loss <&"broken"> \(\d+\.\d{2}ms\) - Full Connection Loss\n/);
  t.match(summary, /\nTarget \(85% graceful handling\): ✓ MET\n\nDetailed Metrics:\n Cascading Failures: 0\n Data Loss Events: 1\n No Graceful Degradation: 0\n/);
  t.equal(targetMet(results, 0.85), true, 'both degraded gracefully, one lost data');

  const xml = renderJunit(results);
  t.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites [^>]*tests="2" failures="1"/);
  t.equal((xml.match(/<testcase /g) ?? []).length, 2, 'one testcase per scenario');
  t.equal((xml.match(/<failure /g) ?? []).length, 1, 'a failure for the failed one');
  t.match(xml, /name="full_connection_loss &lt;&amp;&quot;broken&quot;&gt;"/, 'names are escaped');
  t.match(xml, /<failure message="data_lost was true, expected false" type="FullConnectionLoss">/);
  t.notMatch(xml, /<[^>]*<[^>]*>/, 'no unescaped markup inside a tag');

  const out = Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.WriteStream;
  let written = '';
  (out as unknown as PassThrough).on('data', (c: Buffer) => (written += c.toString()));
  const progress = progressReporter(out, false);
  for (const r of results) progress.hooks.onResult?.(r);
  await new Promise((r) => setImmediate(r));
  t.match(written, /^✓ PASS full_connection_loss \[tcp\] \d+ms \(10\/20 ok\)\n✗ FAIL full_connection_loss <&"broken"> \[tcp\] \d+ms \(10\/20 ok\)\n$/);
  t.same(progressReporter(out, true).hooks, {}, 'quiet prints nothing');
});

t.test('results files are named as the plan names them', async (t) => {
  t.equal(resultsFileName(new Date(2026, 10, 28, 9, 5, 7)), 'network_partition_test_results_20261128_090507.json');
});
