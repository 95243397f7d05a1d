import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { httpClient, listenPort } from '../../bench/http-client.js';
import { loadGen } from './helpers/loadgen.js';
import { loadAverage, rssOf } from '../../bench/procfs.js';
import { proxyProcess } from './helpers/proxy-process.js';
import { every } from './helpers/schedule.js';
import { PROFILE, fast } from './helpers/sizes.js';
import { mib, reportLine } from './helpers/stats.js';

/** DEFAULT_LINK_BOUND (proxy/registry.ts) and one socket read: what one link may hold at most. */
const LINK_BOUND = 1024 * 1024;
const ONE_READ = 64 * 1024;
const PER_LINK = LINK_BOUND + ONE_READ;
/** RSS allowance per connection beyond what its links hold (sockets, link and stage objects), and overall slack (heap growth, GC). */
const PER_CONNECTION = 64 * 1024;
const SLACK = 64 * 1024 * 1024;

/** One proxy per toxic, the toxic on the client → server stream. */
const TOXICS = [
  { type: 'latency', attributes: { latency: 1000 } },
  { type: 'bandwidth', attributes: { rate: 10 } },
  { type: 'slicer', attributes: { average_size: 1024, size_variation: 512, delay: 100 } },
  { type: 'timeout', attributes: { timeout: 0 } },
  { type: 'blackhole', attributes: {} },
  { type: 'flaky', attributes: { rate: 0.001, action: 'reset' } },
];

t.test(
  `${fast.producers} fast producers into each toxic for ${fast.seconds} s: every link holds at most ${mib(PER_LINK)} and RSS grows by less than links × that (${PROFILE})`,
  async (t) => {
    const proxy = await proxyProcess(t);
    const load = await loadGen(t);
    const api = httpClient(proxy.url);
    t.teardown(() => api.close());
    const sink = await load.sink();
    const ports: number[] = [];
    for (const toxic of TOXICS) {
      const created = await api.expect(201, 'POST', '/proxies', {
        name: toxic.type,
        listen: '127.0.0.1:0',
        upstream: `127.0.0.1:${sink}`,
        toxics: [{ ...toxic, stream: 'upstream' }],
      });
      ports.push(listenPort(created.body));
    }
    const baseline = (await proxy.gc()).memory.rss;
    await proxy.heldStart(20);
    let rssMax = 0;
    const sampler = every(100, async () => {
      rssMax = Math.max(rssMax, rssOf(proxy.pid));
    });
    for (const port of ports) await load.fast(port, fast.producers);
    await sleep(fast.seconds * 1000);
    const held = await proxy.heldStop();
    await sampler.stop();
    const written = await load.fastStop();
    const connections = TOXICS.length * fast.producers;
    const links = 2 * connections;
    const bound = baseline + links * PER_LINK + connections * PER_CONNECTION + SLACK;
    t.comment(
      reportLine('fast-producers', {
        profile: PROFILE,
        producers_per_toxic: fast.producers,
        seconds: fast.seconds,
        held,
        written: written.written,
        reconnects: written.reconnects,
        rss_baseline: baseline,
        rss_max: rssMax,
        rss_bound: bound,
        load_average: loadAverage(),
      }),
    );
    t.comment(`producers wrote ${mib(written.written)} in all (${written.reconnects} reconnections after flaky resets)`);
    for (const toxic of TOXICS) {
      const h = held[toxic.type];
      t.ok(h !== undefined && h.samples > 0, `${toxic.type}: held bytes were sampled`);
      if (!h) continue;
      t.comment(`${toxic.type}: one link held at most ${mib(h.maxLink)}; all ${h.maxLinks} links at most ${mib(h.maxTotal)} at once`);
      t.ok(h.maxLink <= PER_LINK, `${toxic.type}: no link held more than 1 MiB + 64 KiB (${h.maxLink} bytes)`);
      t.ok(h.maxTotal <= h.maxLinks * PER_LINK, `${toxic.type}: its links held at most links × (1 MiB + 64 KiB) together`);
    }
    t.ok(held['latency'] !== undefined && held['latency'].maxLink > LINK_BOUND / 2, 'the latency toxic did fill its links up to the bound');
    t.comment(`proxy RSS ${mib(baseline)} at rest, ${mib(rssMax)} at most; bound ${mib(bound)} = baseline + ${links} links × ${mib(PER_LINK)} + ${connections} connections × 64 KiB + 64 MiB`);
    t.ok(rssMax < bound, `the proxy's RSS stayed under the bound (${mib(rssMax)} < ${mib(bound)})`);
  },
);
