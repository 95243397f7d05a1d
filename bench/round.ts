/**
 * One benchmark round: every metric measured on every variant, variants alternating. RTT and
 * churn are cut into slices, so a burst of outside load lands on every variant alike; throughput
 * is one 1 GiB connection per variant. Orders follow a Williams square: over four orders each
 * variant runs right after every other one exactly once, so what one run leaves behind (garbage,
 * kernel buffers, a pending GC) does not always fall on the same successor. (Forcing GCs
 * between runs was tried and made every proxy slower, likely because V8 flushes the bytecode of
 * functions that sat idle through several full GCs, so each run restarted cold.) Around each
 * traffic run the proxy process reports its CPU time, so the CPU cost per unit of work is known
 * even when wall-clock figures are disturbed by other load.
 */
import { loadavg } from 'node:os';
import type { BenchOptions, MetricName } from './options.js';
import { combineChurn, measureChurn, type ChurnResult } from './churn.js';
import { measureIdleMemory, type MemoryResult } from './memory.js';
import type { ProxyHandle, ProxyKind, Targets } from './proxies.js';
import { measureRtt, summarizeRtt, type RttResult } from './rtt.js';
import { measureThroughput, type ThroughputResult } from './throughput.js';
import { withTimeout } from './stats.js';

/** What traffic goes through: straight to the servers, or a proxy. */
export type Variant = 'direct' | ProxyKind;

/** All variants, in table order. */
export const VARIANTS: readonly Variant[] = ['direct', 'pipe', 'faultline', 'faultline-tox0'];

/** CPU time the proxy process spent per unit of work (absent for `direct`). */
export interface ProxyCpu {
  /** ms of proxy CPU per GiB forwarded. */
  msPerGiB?: number;
  /** µs of proxy CPU per 64-byte round trip. */
  usPerRoundTrip?: number;
  /** µs of proxy CPU per churned connection. */
  usPerConnection?: number;
}

/** Everything measured in one round (a metric left out by --only has no entries). */
export interface RoundResult {
  round: number;
  order: Variant[];
  /** 1-minute load average when the round started and ended (outside load shows here). */
  loadavg: [number, number];
  throughput: Partial<Record<Variant, ThroughputResult>>;
  rtt: Partial<Record<Variant, RttResult>>;
  churn: Partial<Record<Variant, ChurnResult>>;
  /** Per idle connection; no entry for `direct` (there is no proxy process). */
  memory: Partial<Record<Variant, MemoryResult>>;
  proxyCpu: Partial<Record<Variant, ProxyCpu>>;
}

/** Where each variant's traffic goes. */
export interface Setup {
  servers: Targets;
  proxies: Record<ProxyKind, ProxyHandle>;
}

/** RTT and churn are measured in this many alternating slices per round. */
const SLICES = 8;
const LIMIT_MS = 300_000;

/** Williams square for four variants (indexes into VARIANTS): every ordered pair is adjacent once. */
const ORDERS = [
  [0, 1, 3, 2],
  [1, 2, 0, 3],
  [2, 3, 1, 0],
  [3, 0, 2, 1],
] as const;

/** The variant order of run `n` (any integer; orders repeat every four). */
function variantOrder(n: number): Variant[] {
  return ORDERS[((n % 4) + 4) % 4].map((i) => VARIANTS[i] as Variant);
}

interface Measured<T> {
  value: T;
  /** Proxy CPU µs spent during the measurement (0 for direct). */
  cpuUs: number;
}

/** Runs `measure` against `variant`'s ports, with the proxy's CPU time around it. */
async function measureOn<T>(setup: Setup, variant: Variant, what: string, measure: (ports: Targets) => Promise<T>): Promise<Measured<T>> {
  const proxy = variant === 'direct' ? undefined : setup.proxies[variant];
  const before = (await proxy?.cpu()) ?? 0;
  const value = await withTimeout(measure(proxy ?? setup.servers), LIMIT_MS, `${what} (${variant})`);
  const after = (await proxy?.cpu()) ?? 0;
  return { value, cpuUs: after - before };
}

async function sliced<T>(setup: Setup, round: number, what: string, measure: (ports: Targets) => Promise<T>): Promise<Record<Variant, Measured<T[]>>> {
  const parts = Object.fromEntries(VARIANTS.map((v) => [v, { value: [] as T[], cpuUs: 0 }])) as Record<Variant, Measured<T[]>>;
  for (let slice = 0; slice < SLICES; slice++) {
    for (const variant of variantOrder(round - 1 + slice)) {
      const { value, cpuUs } = await measureOn(setup, variant, what, measure);
      parts[variant].value.push(value);
      parts[variant].cpuUs += cpuUs;
    }
  }
  return parts;
}

/** Measures the metrics in `only` on every variant once, with the sizes of `options`. */
export async function runRound(round: number, setup: Setup, options: BenchOptions, only: readonly MetricName[]): Promise<RoundResult> {
  const order = variantOrder(round - 1);
  const result: RoundResult = {
    round,
    order,
    loadavg: [loadavg()[0] ?? 0, 0],
    throughput: {},
    rtt: {},
    churn: {},
    memory: {},
    proxyCpu: {},
  };
  const cpu = (variant: Variant): ProxyCpu | undefined =>
    variant === 'direct' ? undefined : (result.proxyCpu[variant] ??= {});
  if (only.includes('throughput')) {
    for (const variant of order) {
      const { value, cpuUs } = await measureOn(setup, variant, 'throughput', (ports) =>
        measureThroughput(ports.sink, options.throughputBytes, options.chunkBytes),
      );
      result.throughput[variant] = value;
      const c = cpu(variant);
      if (c) c.msPerGiB = cpuUs / 1000 / (value.bytes / 2 ** 30);
    }
  }
  if (only.includes('rtt')) {
    const perSlice = Math.ceil(options.roundTrips / SLICES);
    const parts = await sliced(setup, round, 'rtt', (ports) => measureRtt(ports.echo, perSlice, options.rttWarmup));
    for (const variant of order) {
      const { value, cpuUs } = parts[variant];
      result.rtt[variant] = summarizeRtt(value);
      const c = cpu(variant);
      if (c) c.usPerRoundTrip = cpuUs / ((perSlice + options.rttWarmup) * SLICES);
    }
  }
  if (only.includes('churn')) {
    const perSlice = Math.ceil(options.churnConnections / SLICES);
    const parts = await sliced(setup, round, 'churn', (ports) => measureChurn(ports.echo, perSlice, options.churnConcurrency));
    for (const variant of order) {
      const { value, cpuUs } = parts[variant];
      const churn = combineChurn(value);
      result.churn[variant] = churn;
      const c = cpu(variant);
      if (c) c.usPerConnection = cpuUs / churn.connections;
    }
  }
  if (only.includes('memory')) {
    for (const variant of order) {
      if (variant === 'direct') continue;
      result.memory[variant] = await withTimeout(
        measureIdleMemory(variant, setup.servers, options.idleConnections),
        LIMIT_MS,
        `memory (${variant})`,
      );
    }
  }
  result.loadavg[1] = loadavg()[0] ?? 0;
  return result;
}
