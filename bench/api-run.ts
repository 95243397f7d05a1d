/**
 * `npm run bench:api`: the control API's latency while the data plane is saturated (see
 * api-latency.ts for the scenarios). Runs the scenario `--runs` times, each in fresh processes,
 * prints one line per run and a summary against the issue's targets, and writes JSON.
 *
 *   npm run bench:api -- [--scenario toxics|streaming] [--runs 20] [--seconds 10]
 *                        [--connections N] [--variant in-loop|thread] [--load-nice N] [--cpu-prof] [--out DIR]
 *
 * `--load-nice N` runs the load process (clients and upstreams) at nice N: on a 2-core machine
 * an equal-priority flood generator takes about half of the CPU the proxy's thread needs, so the
 * figures then measure the machine's scheduler as much as the proxy (RELIABILITY.md has both).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { meetsTarget, runOnce, TARGETS, type RunResult, type Scenario } from './api-latency.js';
import type { Variant } from './api-proxy-child.js';
import { median } from './stats.js';

const DEFAULT_OUT = fileURLToPath(new URL('../../bench/results/', import.meta.url));

interface Options {
  scenario: Scenario;
  variant: Variant;
  runs: number;
  seconds: number;
  connections: number;
  out: string;
  proxyFlags: string[];
  loadNice: number;
}

function parse(): Options {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string', default: 'toxics' },
      variant: { type: 'string', default: 'thread' },
      runs: { type: 'string', default: '20' },
      seconds: { type: 'string', default: '10' },
      connections: { type: 'string' },
      out: { type: 'string', default: DEFAULT_OUT },
      'cpu-prof': { type: 'boolean', default: false },
      'load-nice': { type: 'string', default: '0' },
    },
  });
  const scenario = values.scenario as Scenario;
  const variant = values.variant as Variant;
  if (!(scenario in TARGETS)) throw new Error(`--scenario must be toxics or streaming`);
  if (variant !== 'in-loop' && variant !== 'thread') throw new Error(`--variant must be in-loop or thread`);
  const connections = Number(values.connections ?? (scenario === 'toxics' ? 200 : 1000));
  const proxyFlags = values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${join(values.out, 'prof', `api-${scenario}-${variant}`)}`] : [];
  const loadNice = Number(values['load-nice']);
  if (!Number.isInteger(loadNice) || loadNice < 0 || loadNice > 19) throw new Error(`--load-nice must be an integer 0..19`);
  return { scenario, variant, runs: Number(values.runs), seconds: Number(values.seconds), connections, out: values.out, proxyFlags, loadNice };
}

const f = (n: number): string => n.toFixed(1);

/** One line per run: API times, the data plane's event-loop delay and GC, CPU, load. */
function runLine(i: number, r: RunResult, ok: boolean): string {
  return (
    `run ${String(i).padStart(2)}: API p50 ${f(r.api.p50)} p99 ${f(r.api.p99)} max ${f(r.api.max)} ms (n ${r.api.n}, errors ${r.api.errors}) ` +
    `| loop p99 ${f(r.loop.p99)} max ${f(r.loop.max)} ms | GC max ${f(r.loop.gc.maxMs)} ms | CPU proxy ${f(r.cpu.proxy * 100)}% load ${f(r.cpu.load * 100)}% ` +
    `| waited for CPU ${f(r.waited * 100)}% | load avg ${r.loadavg.toFixed(1)} | ${r.connections} conns | ${ok ? 'met' : 'MISSED'}`
  );
}

async function main(): Promise<void> {
  const options = parse();
  const target = TARGETS[options.scenario];
  console.log(
    `API latency — ${options.scenario}, ${options.connections} connections, ${options.variant}, load at nice ${options.loadNice}, ${options.runs} runs × ${options.seconds} s; ` +
      `node ${process.version}, ${cpus().length} CPUs; target p99 < ${target.p99} ms, max < ${target.max} ms in every run`,
  );
  const results: RunResult[] = [];
  for (let i = 1; i <= options.runs; i++) {
    const result = await runOnce(options);
    results.push(result);
    console.log(runLine(i, result, meetsTarget(options.scenario, result)));
  }
  const met = results.filter((r) => meetsTarget(options.scenario, r)).length;
  const worst = (pick: (r: RunResult) => number): string => f(Math.max(...results.map(pick)));
  const mid = (pick: (r: RunResult) => number): string => f(median(results.map(pick)));
  console.log(`\n${met}/${results.length} runs met the target.`);
  console.log(`API p99: median ${mid((r) => r.api.p99)}, worst ${worst((r) => r.api.p99)} ms; API max: median ${mid((r) => r.api.max)}, worst ${worst((r) => r.api.max)} ms`);
  console.log(`data-plane event-loop delay p99: median ${mid((r) => r.loop.p99)}, worst ${worst((r) => r.loop.p99)} ms; max: worst ${worst((r) => r.loop.max)} ms`);
  await mkdir(options.out, { recursive: true });
  const file = join(options.out, `api-${options.scenario}-${options.variant}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify({ benchmark: 'api-latency', node: process.version, ...options, target, met, results }, null, 2)}\n`);
  console.log(`JSON: ${file}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
