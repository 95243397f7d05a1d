/**
 * One run of the API-latency benchmark: a fresh proxy process and load process, the load of a
 * scenario, and control-API clients that change toxics as fast as the API answers. Every request
 * is timed from its first byte out to the last byte in; the proxy's data-plane thread reports its
 * event-loop delay and GC pauses over the same window.
 *
 *   this process (API clients) ──HTTP──► proxy process (faultline) ◄──TCP──► load process (clients, upstreams)
 *
 * Scenarios:
 * - `toxics`: `connections` clients flooding (64 KiB writes as fast as taken; cut ones reconnect)
 *   through one proxy per toxic type, slicer with delay 0 among them, through the chain
 *   (latency 5 ms + bandwidth 500 KB/s upstream) whose rate another client changes without pause,
 *   and through two proxies whose upstream is dead (refuses) or stalled (never reads).
 * - `streaming`: `connections` clients each writing 2,000 B/s through one proxy with a latency +
 *   bandwidth chain each way to an echo upstream.
 * In both, a client adds and removes a toxic named `churn` (slicer 100 B delay 0, timeout 0 or
 * latency 3 ms in turn; in `streaming` slow_close instead of timeout, which would cut every
 * connection) on each proxy in turn, without pause, and a third lists the proxies every 50 ms.
 */
import { loadavg, setPriority } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { forkChild, type Child } from './child-rpc.js';
import type { LoopReading } from './api-probes.js';
import type { Variant } from './api-proxy-child.js';
import { httpClient, listenPort, type HttpClient } from './http-client.js';
import { cpuSecondsOf, schedOf } from './procfs.js';
import { quantile } from './stats.js';

/** The load a run puts on the proxy (see the file comment). */
export type Scenario = 'toxics' | 'streaming';

/** What one run does. */
export interface RunOptions {
  scenario: Scenario;
  variant: Variant;
  connections: number;
  /** How long the API clients run, s. */
  seconds: number;
  /** Node flags of the proxy process (e.g. --cpu-prof). */
  proxyFlags?: string[];
  /**
   * Nice value of the load process (0: the proxy's own priority). On a machine with fewer cores
   * than busy processes, an equal-priority load generator takes CPU the proxy needs; a positive
   * value stands in for clients and servers that run on other cores, as they do in deployments.
   */
  loadNice?: number;
}

/** p50 / p99 / max of a set of times, ms, and how many. */
export interface Spread {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

/** The figures of one run. */
export interface RunResult {
  api: Spread & { errors: number };
  byKind: Record<string, Spread>;
  loop: LoopReading;
  /** CPU used over the window, as a share of one core. */
  cpu: { proxy: number; load: number };
  /** Share of the window the proxy's main thread was runnable but waiting for a CPU (host contention). */
  waited: number;
  /** The machine's 1-minute load average at the end of the run. */
  loadavg: number;
  connections: number;
}

/** The targets per scenario: every run's API p99 and max under these, ms. */
export const TARGETS: Record<Scenario, { p99: number; max: number }> = {
  toxics: { p99: 20, max: 100 },
  streaming: { p99: 50, max: 250 },
};

/** Whether a run met its scenario's target (and every request was answered). */
export function meetsTarget(scenario: Scenario, result: RunResult): boolean {
  const target = TARGETS[scenario];
  return result.api.p99 < target.p99 && result.api.max < target.max && result.api.errors === 0;
}

/** A toxic of a proxy in a scenario. */
interface ToxicSpec {
  type: string;
  stream?: string;
  attributes?: Record<string, unknown>;
}

/** A proxy of a scenario: its toxics and its upstream (the load process's sink or echo, unless dead or stalled). */
interface ProxySpec {
  name: string;
  toxics: ToxicSpec[];
  upstream?: 'dead' | 'stalled';
  /** False for proxies that cut their clients within moments (they reconnect): not counted when waiting for the load to build. */
  holds?: false;
}

const UP = 'upstream';

/** The chain: latency 5 ms + bandwidth 500 KB/s on the client → server stream. */
const CHAIN: ToxicSpec[] = [
  { type: 'latency', stream: UP, attributes: { latency: 5 } },
  { type: 'bandwidth', stream: UP, attributes: { rate: 500 } },
];

/** One proxy per toxic type (client → server), plus the chain. */
const TOXIC_PROXIES: ProxySpec[] = [
  { name: 'chain', toxics: CHAIN },
  { name: 'latency', toxics: [{ type: 'latency', stream: UP, attributes: { latency: 50, jitter: 10 } }] },
  { name: 'bandwidth', toxics: [{ type: 'bandwidth', stream: UP, attributes: { rate: 100 } }] },
  { name: 'slicer', toxics: [{ type: 'slicer', stream: UP, attributes: { average_size: 100, delay: 0 } }] },
  { name: 'slow_close', toxics: [{ type: 'slow_close', stream: UP, attributes: { delay: 50 } }] },
  { name: 'timeout', toxics: [{ type: 'timeout', stream: UP, attributes: { timeout: 0 } }] },
  { name: 'reset_peer', toxics: [{ type: 'reset_peer', stream: UP, attributes: { timeout: 20 } }], holds: false },
  { name: 'limit_data', toxics: [{ type: 'limit_data', stream: UP, attributes: { bytes: 1_000_000 } }], holds: false },
  { name: 'noop', toxics: [{ type: 'noop', stream: UP }] },
  { name: 'blackhole', toxics: [{ type: 'blackhole', stream: UP }] },
  { name: 'flaky', toxics: [{ type: 'flaky', stream: UP, attributes: { rate: 0.001 } }] },
  { name: 'drop', toxics: [{ type: 'drop', stream: UP, attributes: { mode: 'reset' } }], holds: false },
  { name: 'dead', toxics: [], upstream: 'dead', holds: false },
  { name: 'stalled', toxics: [{ type: 'latency', stream: UP, attributes: { latency: 20 } }], upstream: 'stalled' },
];

const STREAM_PROXY: ProxySpec = {
  name: 'stream',
  toxics: [
    { type: 'latency', stream: UP, attributes: { latency: 20, jitter: 5 } },
    { type: 'bandwidth', stream: UP, attributes: { rate: 10 } },
    { type: 'latency', stream: 'downstream', attributes: { latency: 10 } },
    { type: 'bandwidth', stream: 'downstream', attributes: { rate: 10 } },
  ],
};

/** The toxics the churn client adds and removes, in turn. */
const CHURN: Record<Scenario, ToxicSpec[]> = {
  toxics: [
    { type: 'slicer', attributes: { average_size: 100, delay: 0 } },
    { type: 'timeout', attributes: { timeout: 0 } },
    { type: 'latency', attributes: { latency: 3 } },
  ],
  streaming: [
    { type: 'slicer', attributes: { average_size: 100, delay: 0 } },
    { type: 'slow_close', attributes: { delay: 10 } },
    { type: 'latency', attributes: { latency: 3 } },
  ],
};

/** Bytes per second each streaming client writes, in one write every STREAM_PERIOD_MS. */
const STREAM_RATE = 2000;
const STREAM_PERIOD_MS = 200;

/** A timed request: its kind, status (0: no answer) and time, ms. */
interface Sample {
  kind: string;
  status: number;
  ms: number;
}

/** Runs `step` without pause until `until` (performance.now() ms). */
async function loop(until: number, step: (i: number) => Promise<void>): Promise<void> {
  for (let i = 0; performance.now() < until; i++) await step(i);
}

/** The API clients of a run: toxic churn, bandwidth churn and listings, until `until`. */
async function control(api: HttpClient, scenario: Scenario, proxies: string[], until: number): Promise<Sample[]> {
  const samples: Sample[] = [];
  const timed = async (kind: string, method: string, path: string, body?: unknown): Promise<void> => {
    const answer = await api.send(method, path, body);
    samples.push({ kind, status: answer.status, ms: answer.ms });
  };
  const churn = CHURN[scenario];
  await Promise.all([
    loop(until, async (i) => {
      const proxy = proxies[i % proxies.length] as string;
      const toxic = churn[i % churn.length] as ToxicSpec;
      await timed('add', 'POST', `/proxies/${proxy}/toxics`, { name: 'churn', stream: UP, ...toxic });
      await timed('remove', 'DELETE', `/proxies/${proxy}/toxics/churn`);
    }),
    loop(until, async (i) => {
      const [proxy, rate] = scenario === 'toxics' ? ['chain', 300 + (i % 5) * 100] : ['stream', 6 + (i % 5)];
      await timed('bandwidth', 'POST', `/proxies/${proxy}/toxics/bandwidth_upstream`, { attributes: { rate } });
    }),
    loop(until, async () => {
      await timed('list', 'GET', '/proxies');
      await sleep(50);
    }),
  ]);
  return samples;
}

function spread(times: number[]): Spread {
  const sorted = Float64Array.from(times).sort();
  return { n: sorted.length, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: sorted.at(-1) ?? Number.NaN };
}

/** Creates the scenario's proxies in front of the load process's upstreams and starts the clients; returns their names and how many connections should stay open. */
async function setUp(api: HttpClient, load: Child, options: RunOptions): Promise<{ proxies: string[]; holding: number }> {
  const specs = options.scenario === 'toxics' ? TOXIC_PROXIES : [STREAM_PROXY];
  let holding = 0;
  const upstreams = {
    main: await load.call<number>(options.scenario === 'toxics' ? 'sink' : 'echo'),
    dead: await load.call<number>('closedPort'),
    stalled: await load.call<number>('stalled'),
  };
  for (const [i, spec] of specs.entries()) {
    const upstream = upstreams[spec.upstream ?? 'main'];
    const created = await api.send('POST', '/proxies', { name: spec.name, listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstream}`, toxics: spec.toxics });
    if (created.status !== 201) throw new Error(`create ${spec.name}: ${created.status} ${created.body}`);
    const port = listenPort(created.body);
    // Spread the clients evenly; the first proxies take the remainder.
    const count = Math.floor(options.connections / specs.length) + (i < options.connections % specs.length ? 1 : 0);
    if (spec.holds !== false) holding += count;
    if (options.scenario === 'toxics') await load.call('flood', { port, count });
    else await load.call('stream', { port, count, rate: STREAM_RATE, periodMs: STREAM_PERIOD_MS });
  }
  return { proxies: specs.map((s) => s.name), holding };
}

/** One run (see the file comment). */
export async function runOnce(options: RunOptions): Promise<RunResult> {
  const proxy = forkChild(new URL('./api-proxy-child.js', import.meta.url), [options.variant], options.proxyFlags ?? []);
  const load = forkChild(new URL('./api-load-child.js', import.meta.url), [], []);
  if (options.loadNice) setPriority(load.pid, options.loadNice);
  const api = httpClient(await proxy.call<string>('url'), 3);
  try {
    const { proxies, holding } = await setUp(api, load, options);
    // Let the clients connect (streams start over a second) and the first bursts pass.
    const settle = performance.now() + 10_000;
    while (performance.now() < settle && (await proxy.call<number>('connections')) < holding * 0.9) await sleep(100);
    await sleep(1000);
    await proxy.call('reset');
    const cpu = [cpuSecondsOf(proxy.pid), cpuSecondsOf(load.pid)] as const;
    const waited = schedOf(proxy.pid).waited;
    const start = performance.now();
    const samples = await control(api, options.scenario, proxies, start + options.seconds * 1000);
    const seconds = (performance.now() - start) / 1000;
    const loopReading = await proxy.call<LoopReading>('read');
    const kinds = [...new Set(samples.map((s) => s.kind))];
    return {
      api: { ...spread(samples.map((s) => s.ms)), errors: samples.filter((s) => s.status === 0 || s.status >= 500).length },
      byKind: Object.fromEntries(kinds.map((k) => [k, spread(samples.filter((s) => s.kind === k).map((s) => s.ms))])),
      loop: loopReading,
      cpu: { proxy: (cpuSecondsOf(proxy.pid) - cpu[0]) / seconds, load: (cpuSecondsOf(load.pid) - cpu[1]) / seconds },
      waited: (schedOf(proxy.pid).waited - waited) / seconds,
      loadavg: loadavg()[0] ?? 0,
      connections: await proxy.call<number>('connections'),
    };
  } finally {
    api.close();
    await load.call('stop').catch(() => undefined);
    await Promise.all([load.close(), proxy.close()]);
  }
}
