/**
 * `npm run bench`: the data-plane benchmark. Traffic goes straight to the servers (direct),
 * through a bare Node pipe proxy (the ceiling for Node), through faultline with no toxics and
 * through faultline with a toxicity-0 latency toxic on each link, side by side in one run,
 * alternating, for several rounds. Prints medians and ratios to the pipe; writes JSON.
 *
 *   load generator (this process) ──► proxy process (pipe | faultline | faultline-tox0) ──► servers process
 *                                 └──────────────────── direct ──────────────────────────►
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOptions, USAGE, type BenchOptions } from './options.js';
import { startProxy, startServers, type ProxyHandle, type ProxyKind } from './proxies.js';
import { formatRatios, formatRound, formatTable, writeJson } from './report.js';
import { runRound, type RoundResult } from './round.js';
import { summarize } from './summary.js';

const KINDS: readonly ProxyKind[] = ['pipe', 'faultline', 'faultline-tox0'];
const DEFAULT_OUT = fileURLToPath(new URL('../../bench/results/', import.meta.url));

function commit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

function describe(options: BenchOptions): string {
  const mib = options.throughputBytes / 2 ** 20;
  return (
    `${options.rounds} rounds; throughput ${mib} MiB in ${options.chunkBytes / 1024} KiB writes; ` +
    `RTT ${options.roundTrips} × 64 B; churn ${options.churnConnections} connections, ${options.churnConcurrency} at a time; ` +
    `memory ${options.idleConnections} idle connections; measuring ${options.only.join(', ')}`
  );
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), DEFAULT_OUT);
  if (options === 'help') {
    console.log(USAGE);
    return;
  }
  const startedAt = new Date();
  const servers = await startServers();
  const profile = (kind: ProxyKind): string[] =>
    options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${join(options.outDir, 'prof', kind)}`] : [];
  console.log(`faultline data-plane benchmark — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`);
  console.log(describe(options));
  const load = loadavg()[0] ?? 0;
  if (load > 0.5) console.log(`note: 1-minute load average is ${load.toFixed(2)} before starting; other processes share the CPUs, so ratios will be noisier`);
  const rounds: RoundResult[] = [];
  const warmup = { ...options, throughputBytes: 64 * 2 ** 20, roundTrips: 1_000, churnConnections: 200 };
  try {
    for (let i = 1; i <= options.rounds; i++) {
      // Fresh proxy processes each round: a process that lands badly on the CPUs stays unlucky
      // for its whole life, so reusing one would bias every round the same way.
      const handles = await Promise.all(KINDS.map((kind) => startProxy(kind, servers, profile(kind))));
      try {
        const setup = { servers, proxies: Object.fromEntries(handles.map((h) => [h.kind, h])) as Record<ProxyKind, ProxyHandle> };
        await runRound(i, setup, warmup, options.only.filter((m) => m !== 'memory'));
        const round = await runRound(i, setup, options, options.only);
        rounds.push(round);
        console.log(formatRound(round, options.rounds));
      } finally {
        await Promise.all(handles.map((h) => h.close()));
      }
    }
  } finally {
    await servers.close();
  }
  const summary = summarize(rounds);
  console.log(`\nMedians over ${rounds.length} rounds; ratios are medians of the per-round ratios to the pipe.\n`);
  console.log(formatTable(summary));
  console.log(`\n${formatRatios(summary)}\n`);
  const { outDir, ...sizes } = options;
  const file = await writeJson(outDir, startedAt, {
    benchmark: 'data-plane',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: { count: cpus().length, model: cpus()[0]?.model ?? null },
    commit: commit(),
    options: sizes,
    summary,
    rounds,
  });
  console.log(`JSON: ${file}`);
  const missed = summary.flatMap((s) => [
    ...(s.faultline.met === false ? [`${s.label} (faultline)`] : []),
    ...(s.tox0.met === false ? [`${s.label} (tox0)`] : []),
  ]);
  if (missed.length > 0) console.log(`targets missed: ${missed.join(', ')}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
