/** Command-line options of `npm run bench` (after `--`). */
import { parseArgs } from 'node:util';

/** The measurements of a round, in the order they run. */
const METRIC_NAMES = ['throughput', 'rtt', 'churn', 'memory'] as const;

/** One kind of measurement. */
export type MetricName = (typeof METRIC_NAMES)[number];

/** Sizes and switches of one benchmark run. */
export interface BenchOptions {
  rounds: number;
  quick: boolean;
  /** Bytes sent on the one throughput connection, in `chunkBytes` writes. */
  throughputBytes: number;
  chunkBytes: number;
  /** Measured 64-byte round trips per variant and round; each connection first makes `rttWarmup` unrecorded ones. */
  roundTrips: number;
  rttWarmup: number;
  churnConnections: number;
  churnConcurrency: number;
  idleConnections: number;
  /** The measurements to run (--only); all by default. */
  only: MetricName[];
  /** Write a V8 CPU profile of each proxy process (into `<outDir>/prof`). */
  cpuProf: boolean;
  outDir: string;
}

export const USAGE = `usage: npm run bench -- [--rounds N] [--quick] [--only LIST] [--cpu-prof] [--out DIR]
  --rounds N   alternating rounds (default 5; 2 with --quick)
  --quick      smoke run with small sizes (under a minute)
  --only LIST  comma-separated subset of ${METRIC_NAMES.join(',')}
  --cpu-prof   write a V8 CPU profile of each proxy process into DIR/prof
  --out DIR    where the JSON goes (default bench/results)`;

/** Parses `argv`; throws with the usage text on a bad option. */
export function parseOptions(argv: string[], defaultOutDir: string): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      rounds: { type: 'string' },
      quick: { type: 'boolean', default: false },
      'cpu-prof': { type: 'boolean', default: false },
      out: { type: 'string' },
      only: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const quick = values.quick;
  const rounds = values.rounds === undefined ? (quick ? 2 : 5) : Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer\n${USAGE}`);
  const only = (values.only ?? METRIC_NAMES.join(',')).split(',').map((name) => name.trim());
  const unknown = only.filter((name) => !(METRIC_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0 || only.length === 0) throw new Error(`--only: unknown metric ${unknown.join(', ')}\n${USAGE}`);
  return {
    rounds,
    quick,
    throughputBytes: quick ? 128 * 2 ** 20 : 2 ** 30,
    chunkBytes: 64 * 1024,
    roundTrips: quick ? 2_000 : 20_000,
    rttWarmup: quick ? 100 : 250,
    churnConnections: quick ? 500 : 5_000,
    churnConcurrency: 32,
    idleConnections: 1_000,
    only: only as MetricName[],
    cpuProf: values['cpu-prof'],
    outDir: values.out ?? defaultOutDir,
  };
}
