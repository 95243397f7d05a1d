import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { apiClient, listenPort, type ApiClient } from './helpers/api-client.js';
import { loadGen } from './helpers/loadgen.js';
import { loadAverage, rssOf } from './helpers/procfs.js';
import { proxyProcess } from './helpers/proxy-process.js';
import { every } from './helpers/schedule.js';
import { PROFILE, streaming } from './helpers/sizes.js';
import { mib, reportLine, showMs, spread } from './helpers/stats.js';

/** Bytes per second each client offers, in one write per 100 ms: below every bandwidth rate used, so links do not fill up. */
const OFFERED = 8000;
/** The bandwidth rates the test moves between, KB/s (1 KB = 1000 bytes): always above OFFERED. */
const RATES = [12, 16, 20, 24];
/** The bound every control request's p99 must meet, whatever the data plane is doing. */
const P99_MS = 50;
/** Per connection RSS allowance in the bound: two sockets, two links with their stages and queues (idle cost is about 7 KiB). */
const PER_CONNECTION = 64 * 1024;
/** RSS allowance independent of the connection count: heap growth and GC slack. */
const SLACK = 96 * 1024 * 1024;

/** Toxics that keep every byte (added, updated and removed while data flows): data loss would be the proxy's. */
const CHURN = [
  { type: 'slicer', attributes: { average_size: 200, size_variation: 50, delay: 0 }, update: { average_size: 300 } },
  { type: 'latency', attributes: { latency: 10, jitter: 5 }, update: { latency: 15 } },
  { type: 'slow_close', attributes: { delay: 5 }, update: { delay: 10 } },
  { type: 'noop', attributes: {}, update: {} },
];

/** Runs the control-plane schedule: one toxic change every 100 ms, GET /proxies every 100 ms, disable/enable every `disableEveryMs`. */
function controlPlane(api: ApiClient, disableEveryMs: number): { stop(): Promise<Record<string, number[]>> } {
  const times: Record<string, number[]> = { add: [], update: [], remove: [], list: [], disable: [], enable: [] };
  const timed = async (kind: string, status: number, method: string, path: string, body?: unknown): Promise<void> => {
    (times[kind] as number[]).push((await api.expect(status, method, path, body)).ms);
  };
  const toxics = every(100, async (i) => {
    const churn = CHURN[Math.floor(i / 5) % CHURN.length] as (typeof CHURN)[number];
    const stream = Math.floor(i / 5) % 2 === 0 ? 'upstream' : 'downstream';
    switch (i % 5) {
      case 0:
        return timed('add', 200, 'POST', '/proxies/soak/toxics', { name: 'churn', type: churn.type, stream, attributes: churn.attributes });
      case 1:
        return timed('update', 200, 'POST', '/proxies/soak/toxics/churn', { attributes: churn.update });
      case 2:
        return timed('update', 200, 'POST', '/proxies/soak/toxics/bandwidth_upstream', { attributes: { rate: RATES[i % RATES.length] } });
      case 3:
        return timed('update', 200, 'POST', '/proxies/soak/toxics/latency_downstream', { attributes: { latency: 10 + (i % 20) } });
      default:
        return timed('remove', 204, 'DELETE', '/proxies/soak/toxics/churn');
    }
  });
  const listings = every(100, () => timed('list', 200, 'GET', '/proxies'), 50);
  const flips = every(
    disableEveryMs,
    async () => {
      await timed('disable', 200, 'POST', '/proxies/soak', { enabled: false });
      await sleep(200);
      await timed('enable', 200, 'POST', '/proxies/soak', { enabled: true });
    },
    disableEveryMs,
  );
  return {
    stop: async () => {
      await Promise.all([toxics.stop(), listings.stop(), flips.stop()]);
      return times;
    },
  };
}

t.test(
  `${streaming.connections} connections stream through a latency + bandwidth chain for ${streaming.seconds} s while toxics change every 100 ms and the proxy flips every ${streaming.disableEveryMs / 1000} s (${PROFILE})`,
  async (t) => {
    const proxy = await proxyProcess(t);
    const load = await loadGen(t);
    const api = apiClient(proxy.url);
    t.teardown(() => api.close());
    const upstream = await load.echo();
    const created = await api.expect(201, 'POST', '/proxies', {
      name: 'soak',
      listen: '127.0.0.1:0',
      upstream: `127.0.0.1:${upstream}`,
      toxics: [
        { type: 'latency', stream: 'upstream', attributes: { latency: 50, jitter: 10 } },
        { type: 'bandwidth', stream: 'upstream', attributes: { rate: 16 } },
        { type: 'latency', stream: 'downstream', attributes: { latency: 20 } },
        { type: 'bandwidth', stream: 'downstream', attributes: { rate: 16 } },
      ],
    });
    const baseline = (await proxy.gc()).memory.rss;
    await load.stream(listenPort(created.body), streaming.connections, OFFERED);
    for (let waited = 0; waited < 30_000 && (await proxy.stats()).connections < streaming.connections; waited += 100) await sleep(100);
    t.equal((await proxy.stats()).connections, streaming.connections, `${streaming.connections} connections are open`);

    await proxy.loopReset();
    const started = performance.now();
    const control = controlPlane(api, streaming.disableEveryMs);
    let maxRss = 0;
    let maxLoad = 0;
    const sampler = every(250, async () => {
      maxRss = Math.max(maxRss, rssOf(proxy.pid));
      maxLoad = Math.max(maxLoad, loadAverage());
    });
    await sleep(streaming.seconds * 1000);
    const times = await control.stop();
    await sampler.stop();
    const elapsed = (performance.now() - started) / 1000;
    const loop = await proxy.loop();
    const stats = await load.streamStop(500);

    const all = spread(Object.values(times).flat());
    const bound = baseline + streaming.connections * PER_CONNECTION + SLACK;
    const figures = {
      profile: PROFILE,
      connections: streaming.connections,
      seconds: Number(elapsed.toFixed(1)),
      offered_bytes_per_s: OFFERED * streaming.connections,
      api: Object.fromEntries(Object.entries(times).map(([kind, samples]) => [kind, spread(samples)])),
      api_all: all,
      loop,
      sent: stats.stream.sent,
      echoed: stats.stream.echoed,
      upstream_bytes: stats.upstream.bytes,
      connects: stats.stream.connects,
      refused: stats.stream.refused,
      deferred_writes: stats.stream.deferred,
      rss_baseline: baseline,
      rss_max: maxRss,
      rss_bound: bound,
      load_average_max: maxLoad,
    };
    t.comment(reportLine('streaming', figures));
    t.comment(`control API over ${all.n} requests: ${showMs(all)}`);
    for (const [kind, samples] of Object.entries(times)) t.comment(`  ${kind}: ${showMs(spread(samples))}`);
    t.comment(`proxy event loop delay: p50 ${loop.p50.toFixed(1)} ms, p99 ${loop.p99.toFixed(1)} ms, max ${loop.max.toFixed(1)} ms; GC ${loop.gc.count} pauses, max ${loop.gc.maxMs.toFixed(1)} ms`);
    t.comment(`proxy RSS ${mib(baseline)} at rest, ${mib(maxRss)} at most, bound ${mib(bound)}; load average up to ${maxLoad}`);

    t.same(stats.samples, [], 'every delivered byte was in order (no loss, duplication or reordering within a connection)');
    t.equal(stats.stream.errors + stats.upstream.errors, 0, 'no connection broke its sequence, upstream or echoed');
    t.ok(stats.stream.echoed >= 0.5 * stats.stream.sent, `most of what was sent came back (${mib(stats.stream.echoed)} of ${mib(stats.stream.sent)})`);
    t.ok(stats.stream.connects > streaming.connections, `clients reconnected after each disable (${stats.stream.connects} connections)`);
    t.ok((times['disable'] as number[]).length >= 1, `the proxy was disabled and enabled ${(times['disable'] as number[]).length} times`);
    t.ok(all.p99 < P99_MS, `the control API's p99 is under ${P99_MS} ms (${showMs(all)})`);
    t.ok(maxRss < bound, `the proxy's RSS stayed under baseline + ${streaming.connections} × 64 KiB + 96 MiB (${mib(maxRss)} < ${mib(bound)})`);
  },
);
