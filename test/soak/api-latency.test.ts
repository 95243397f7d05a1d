import t from 'tap';
import type * as ApiLatency from '../../bench/api-latency.js';
import { FULL, PROFILE } from './helpers/sizes.js';
import { reportLine } from './helpers/stats.js';

/**
 * The control API under a saturated data plane, measured by the benchmark's own runner (the built
 * `dist/bench/api-latency.js`: a proxy process serving the API from its thread front, a load
 * process, API clients here). Full size
 * (`npm run soak`): the targets, every run must meet them. Short size (`npm test`): one
 * small run whose figures are reported; it checks that every request was answered, since absolute
 * times on a shared machine belong to the soak. The load process runs at nice 10: on two CPUs an
 * equal-priority flood generator takes about half of the CPU the proxy needs (RELIABILITY.md has
 * the figures both ways).
 */
const bench = (await import(new URL('../../dist/bench/api-latency.js', import.meta.url).href)) as typeof ApiLatency;

/** Runs per scenario and their size, per profile. */
const PLAN: Array<{ scenario: ApiLatency.Scenario; runs: number; connections: number; seconds: number }> = FULL
  ? [
      { scenario: 'toxics', runs: 20, connections: 200, seconds: 10 },
      { scenario: 'streaming', runs: 5, connections: 1000, seconds: 15 },
    ]
  : [{ scenario: 'toxics', runs: 1, connections: 100, seconds: 3 }];

for (const { scenario, runs, connections, seconds } of PLAN) {
  const target = bench.TARGETS[scenario];
  t.test(`the API answers while ${connections} connections load the data plane (${scenario}, ${runs} × ${seconds} s, ${PROFILE})`, async (t) => {
    const results: ApiLatency.RunResult[] = [];
    for (let i = 1; i <= runs; i++) {
      const result = await bench.runOnce({ scenario, variant: 'thread', connections, seconds, loadNice: 10 });
      results.push(result);
      t.comment(reportLine('api-latency', { scenario, run: i, ...result }));
      t.equal(result.api.errors, 0, `run ${i}: every one of ${result.api.n} requests was answered, none with a 5xx`);
      t.ok(result.api.n > seconds * 10, `run ${i}: the clients kept the API busy (${result.api.n} requests)`);
      const figures = `p99 ${result.api.p99.toFixed(1)} ms, max ${result.api.max.toFixed(1)} ms; data plane event-loop delay p99 ${result.loop.p99.toFixed(1)} ms`;
      if (FULL) t.ok(bench.meetsTarget(scenario, result), `run ${i}: p99 < ${target.p99} ms and max < ${target.max} ms (${figures})`);
      else t.comment(`run ${i}: ${figures} (bounds are checked by npm run soak)`);
    }
    const met = results.filter((r) => bench.meetsTarget(scenario, r)).length;
    t.comment(`${met}/${runs} runs met p99 < ${target.p99} ms and max < ${target.max} ms`);
  });
}
