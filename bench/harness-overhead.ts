/**
 * `npm run bench:harness`: the harness's own overhead with many clients. A faultline server and
 * the demo upstreams run in a child process; this process runs one multi-client scenario per case
 * (some requests, a drop partition of every client, requests during it, the heal, requests after)
 * and reports what the result records of the harness itself: CPU time per request, event-loop
 * delay p99 and max, how often the loop lagged more than 10 ms, and whether the window's figures
 * were taken during such a lag; beside them the window over the clients and the reconnect wave.
 * Writes JSON to bench/results/.
 *
 *   npm run bench:harness -- [--cases http:100,http:500,mcp:100] [--rate 1]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { runScenarios } from '../harness/run-scenarios.js';
import { parseScenario } from '../harness/scenario.js';
import { fetchLedger } from '../harness/upstreams/ledger.js';
import { forkChild } from './child-rpc.js';

interface Targets {
  url: string;
  http: { address: string; ledger: string };
  mcp: { address: string; ledger: string };
}

const { values } = parseArgs({ options: { cases: { type: 'string', default: 'http:100,http:500,mcp:100' }, rate: { type: 'string', default: '1' } } });
const rate = Number(values.rate);
const cases = values.cases.split(',').map((c) => {
  const [kind, n] = c.split(':');
  if ((kind !== 'http' && kind !== 'mcp') || !Number.isInteger(Number(n))) throw new Error(`--cases: "${c}" is not kind:clients (http:100, mcp:100)`);
  return { kind, clients: Number(n) } as const;
});

const child = forkChild(new URL('./harness-child.js', import.meta.url), [], []);
const targets = await child.call<Targets>('targets');
console.log(`faultline harness overhead — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}; load ${loadavg()[0]?.toFixed(2)}; ${rate} req/s per client`);
const rows: Array<Record<string, unknown>> = [];
try {
  for (const { kind, clients } of cases) {
    const scenario = parseScenario(
      {
        name: `overhead_${kind}_${clients}`,
        type: 'HarnessOverhead',
        title: `${clients} ${kind} clients`,
        paths: [{ name: 'primary', clients }],
        rate,
        steps: [{ send: 3 }, { partition: { mode: 'drop' } }, { send: 2 }, { heal: {} }, { send: 3 }],
        expect: {},
        policy: { timeout_ms: 5000 },
      },
      'bench',
    );
    const started = performance.now();
    const [result] = await runScenarios({
      proxyUrl: targets.url,
      probe: kind,
      upstream: { address: targets[kind].address, ledger: () => fetchLedger(targets[kind].ledger) },
      scenarios: [scenario],
      seed: 'bench',
    });
    if (!result) throw new Error('no result');
    const h = result.harness;
    const w = result.windows[0];
    const row = {
      case: `${kind} × ${clients}`,
      wall_ms: Math.round(performance.now() - started),
      requests: h?.requests,
      ok: result.metrics.successful_requests,
      cpu_ms: h?.cpu_ms,
      cpu_ms_per_request: h?.cpu_ms_per_request,
      event_loop_delay_p99_ms: h?.event_loop_delay_p99_ms,
      event_loop_delay_max_ms: h?.event_loop_delay_max_ms,
      lag_spans: h?.lag_spans.length,
      window_harness_lag_ms: w?.harness_lag_ms ?? null,
      affected: w?.clients?.affected,
      detection_p50_p99_max: w?.clients ? [w.clients.detection_ms.p50, w.clients.detection_ms.p99, w.clients.detection_ms.max] : null,
      recovery_p50_p99_max: w?.clients ? [w.clients.recovery_ms.p50, w.clients.recovery_ms.p99, w.clients.recovery_ms.max] : null,
      all_recovered_ms: w?.clients?.all_recovered_ms ?? null,
      reconnects: w?.reconnect?.connections,
      reconnect_peak_per_10ms: w?.reconnect?.peak_per_bucket,
      last_reconnect_ms: w?.reconnect?.last_reconnect_ms,
      upstream_peak: w?.reconnect?.upstream_peak,
      lost_writes: result.ledger.lost_writes.length,
    };
    rows.push(row);
    console.log(JSON.stringify(row));
  }
} finally {
  await child.close();
}
const dir = fileURLToPath(new URL('../../bench/results/', import.meta.url));
await mkdir(dir, { recursive: true });
const file = join(dir, `harness-overhead-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
await writeFile(file, JSON.stringify({ benchmark: 'harness-overhead', node: process.version, cpus: cpus().length, load: loadavg(), rate, rows }, null, 2));
console.log(`wrote ${file}`);
