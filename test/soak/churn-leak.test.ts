import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { httpClient, listenPort, type HttpClient } from '../../bench/http-client.js';
import { loadGen, type LoadGen } from './helpers/loadgen.js';
import { fdsOf, loadAverage, rssOf } from '../../bench/procfs.js';
import { proxyProcess, type ProxyProcess } from './helpers/proxy-process.js';
import { PROFILE, churn } from './helpers/sizes.js';
import { mib, reportLine, showMs, spread } from './helpers/stats.js';

/** How much the proxy's RSS may stay above its baseline after the run, once GC has run. */
const RSS_MARGIN = 32 * 1024 * 1024;
/** Handle types that must come back to their baseline count exactly. */
const TCP_HANDLES = ['TCPSocketWrap', 'TCPServerWrap'];

/** The partitions a flip switches on and off, in turn: each is a toxic added then removed, or a disable then an enable. */
const PARTITIONS = [
  { type: 'blackhole', stream: 'downstream', attributes: {} },
  { type: 'drop', stream: 'downstream', attributes: { mode: 'reset' } },
  { type: 'drop', stream: 'downstream', attributes: { mode: 'close' } },
  { type: 'timeout', stream: 'upstream', attributes: { timeout: 0 } },
  { type: 'flaky', stream: 'upstream', attributes: { rate: 0.5, action: 'reset' } },
  { type: 'blackhole', stream: 'upstream', attributes: {} },
  'disable',
] as const;

/** Switches partitions on and off on proxy `name`, `count` times, each once `due(i)` resolves; the time of each API request. */
async function flips(api: HttpClient, name: string, count: number, due: (i: number) => Promise<void>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    await due(i);
    const partition = PARTITIONS[i % PARTITIONS.length] as (typeof PARTITIONS)[number];
    if (partition === 'disable') {
      times.push((await api.expect(200, 'POST', `/proxies/${name}`, { enabled: false })).ms);
      times.push((await api.expect(200, 'POST', `/proxies/${name}`, { enabled: true })).ms);
    } else {
      times.push((await api.expect(200, 'POST', `/proxies/${name}/toxics`, { name: 'partition', ...partition })).ms);
      await sleep(1);
      times.push((await api.expect(204, 'DELETE', `/proxies/${name}/toxics/partition`)).ms);
    }
  }
  return times;
}

/** The proxy process at rest: no connection, no socket of the test's API client, garbage collected. */
interface Rest {
  fds: number;
  rss: number;
  handles: Record<string, number>;
  connections: number;
  heapUsed: number;
}

/**
 * Waits (up to 15 s) for the proxy to drop every connection and the generator every socket, lets
 * cut connections' grace timers (2 s) run out, closes the API client's sockets, collects garbage,
 * and reads the proxy's descriptors, handles and RSS.
 */
async function atRest(proxy: ProxyProcess, load: LoadGen, api: HttpClient): Promise<Rest> {
  for (let waited = 0; waited < 15_000; waited += 100) {
    const [stats, gen] = await Promise.all([proxy.stats(), load.stats()]);
    if (stats.connections === 0 && gen.sockets === 0) break;
    await sleep(100);
  }
  api.close();
  await sleep(2500);
  const stats = await proxy.gc();
  return { fds: fdsOf(proxy.pid), rss: rssOf(proxy.pid), handles: stats.handles, connections: stats.connections, heapUsed: stats.memory.heapUsed };
}

/** How a churn phase went: when cycles and flips finished (s after the start), and the flips' API times. */
interface ChurnRun {
  cyclesSeconds: number;
  flipsSeconds: number;
  flipTimes: number[];
}

/**
 * Runs `cycles` open/close cycles and `count` flips side by side, the flips spread over the cycles
 * (flip i waits, at most 1 s, until i / count of the cycles have connected).
 */
async function churnFor(api: HttpClient, load: LoadGen, port: number, cycles: number, count: number): Promise<ChurnRun> {
  const started = performance.now();
  const from = (await load.stats()).cycles.connected;
  const due = async (i: number): Promise<void> => {
    for (let waited = 0; waited < 1000; waited += 2) {
      if ((await load.stats()).cycles.connected - from >= (i * cycles) / count) return;
      await sleep(2);
    }
  };
  const seconds = (): number => (performance.now() - started) / 1000;
  const [cyclesSeconds, [flipTimes, flipsSeconds]] = await Promise.all([
    load.cycles(port, cycles, { concurrency: 32, timeoutMs: 1000 }).then(seconds),
    flips(api, 'cycle', count, due).then((times) => [times, seconds()] as const),
  ]);
  return { cyclesSeconds, flipsSeconds, flipTimes };
}

t.test(
  `after ${churn.cycles} connection open/close cycles and ${churn.flips} partition flips the proxy's fds, handles and RSS are back at baseline (${PROFILE})`,
  async (t) => {
    const proxy = await proxyProcess(t);
    const load = await loadGen(t);
    const api = httpClient(proxy.url, 2);
    const upstream = await load.echo();
    const created = await api.expect(201, 'POST', '/proxies', { name: 'cycle', listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstream}` });
    const port = listenPort(created.body);

    await churnFor(api, load, port, churn.warmupCycles, churn.warmupFlips);
    const baseline = await atRest(proxy, load, api);
    const before = await load.stats();
    const run = await churnFor(api, load, port, churn.cycles, churn.flips);
    const after = await atRest(proxy, load, api);
    const gen = await load.stats();

    const tcp = (handles: Record<string, number>): number => TCP_HANDLES.reduce((n, k) => n + (handles[k] ?? 0), 0);
    const connected = gen.cycles.connected - before.cycles.connected;
    const outcomes = Object.fromEntries(
      Object.entries(gen.cycles).map(([k, v]) => [k, v - (before.cycles[k as keyof typeof before.cycles] ?? 0)]),
    );
    const flipApi = spread(run.flipTimes);
    t.comment(
      reportLine('churn', {
        profile: PROFILE,
        cycles: outcomes,
        cycles_seconds: run.cyclesSeconds,
        cycles_per_s: connected / run.cyclesSeconds,
        flips: churn.flips,
        flips_seconds: run.flipsSeconds,
        flip_api: flipApi,
        baseline,
        after,
        upstream: gen.upstream,
        load_average: loadAverage(),
      }),
    );
    t.comment(`${connected} cycles in ${run.cyclesSeconds.toFixed(1)} s (${(connected / run.cyclesSeconds).toFixed(0)}/s): ${JSON.stringify(outcomes)}`);
    t.comment(`${churn.flips} flips in ${run.flipsSeconds.toFixed(1)} s; their API requests: ${showMs(flipApi)}`);
    t.comment(`fds ${baseline.fds} → ${after.fds}; handles ${JSON.stringify(baseline.handles)} → ${JSON.stringify(after.handles)}`);
    t.comment(`RSS ${mib(baseline.rss)} → ${mib(after.rss)} (${mib(after.rss - baseline.rss)}); heap used ${mib(baseline.heapUsed)} → ${mib(after.heapUsed)}`);

    t.ok(connected >= churn.cycles, `${connected} cycles connected through the proxy`);
    t.ok((outcomes['echoed'] ?? 0) > connected / 10, `cycles ran clean: connect, echo, close (${outcomes['echoed']})`);
    t.ok((outcomes['cut'] ?? 0) > connected / 10, `cycles were cut by partitions (${outcomes['cut']})`);
    t.ok((outcomes['fin'] ?? 0) > 0 && (outcomes['rst'] ?? 0) > 0, 'clients closed with FIN and with RST');
    t.equal(outcomes['bad'], 0, 'no cycle received bytes of another connection or out of order');
    t.equal(gen.upstream.errors, 0, 'the upstream saw every connection in order');
    if (after.connections > 0) t.comment(`left over: ${JSON.stringify(await proxy.live())}`);
    t.equal(after.connections, 0, 'the proxy holds no connection afterwards');
    t.equal(after.fds, baseline.fds, `open file descriptors are back at the baseline (${after.fds})`);
    t.equal(tcp(after.handles), tcp(baseline.handles), 'TCP handles are back at the baseline');
    t.ok(after.rss - baseline.rss <= RSS_MARGIN, `RSS is within ${mib(RSS_MARGIN)} of the baseline (${mib(after.rss - baseline.rss)})`);
  },
);
