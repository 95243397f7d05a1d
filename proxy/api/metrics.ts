/**
 * Prometheus metrics on a private prom-client registry per server. Byte counters are read from
 * the live Links (plus the totals of closed connections) at scrape time, so they move while data
 * flows and cost the data plane nothing; toxic activations are counted from registry events.
 * Node process metrics describe the process, so one collector serves every server in it.
 */
import { readdir } from 'node:fs/promises';
import { Counter, Gauge, Registry as PromRegistry, collectDefaultMetrics } from 'prom-client';
import type { FaultlineEvent } from '../events.js';
import type { Proxy } from '../proxy.js';
import type { Registry } from '../registry.js';

/** The metrics of one server. */
export interface Metrics {
  readonly contentType: string;
  /** The Prometheus text exposition of every metric. */
  render(): Promise<string>;
  /** Stops listening to registry events. */
  close(): void;
}

const BYTE_LABELS = ['direction', 'proxy', 'listener', 'upstream'] as const;

/** Builds the metrics of `registry`: Toxiproxy's byte counters, faultline's own, Node process metrics. */
export function createMetrics(registry: Registry): Metrics {
  const prom = new PromRegistry();
  const activations = new Map<string, Map<string, number>>();
  const unsubscribe = registry.events.subscribe((event) => countActivation(activations, registry, event), [
    'toxic.added',
    'fault.tripped',
    'proxy.created',
    'proxy.deleted',
  ]);

  byteCounter(prom, registry, 'toxiproxy_proxy_received_bytes_total', 'Bytes read from the source socket of each direction of a proxy.', 'in');
  byteCounter(prom, registry, 'toxiproxy_proxy_sent_bytes_total', 'Bytes written to the destination socket of each direction of a proxy.', 'out');

  new Gauge({
    name: 'faultline_proxy_active_connections',
    help: 'Connections a proxy is carrying now (including ones still dialling the upstream).',
    labelNames: ['proxy'],
    registers: [prom],
    collect() {
      this.reset();
      for (const proxy of registry.list()) this.set({ proxy: proxy.name }, proxy.connections.length);
    },
  });

  new Counter({
    name: 'faultline_proxy_accepted_connections_total',
    help: 'Client connections a proxy has accepted.',
    labelNames: ['proxy'],
    registers: [prom],
    collect() {
      this.reset();
      for (const proxy of registry.list()) this.inc({ proxy: proxy.name }, proxy.totals.accepted);
    },
  });

  new Counter({
    name: 'faultline_toxic_activations_total',
    help: 'Times a toxic was added to a proxy or fired on a connection (a flaky trip, a reset).',
    labelNames: ['proxy', 'toxic'],
    registers: [prom],
    collect() {
      this.reset();
      for (const [proxy, toxics] of activations) {
        for (const [toxic, count] of toxics) this.inc({ proxy, toxic }, count);
      }
    },
  });

  return {
    contentType: prom.contentType,
    render: async () => `${await prom.metrics()}\n${await processMetricsText()}`,
    close: unsubscribe,
  };
}

let processMetrics: PromRegistry | undefined;

/** Default process metrics whose collection walks every handle of the process synchronously. */
const PER_HANDLE = [
  'process_open_fds',
  'nodejs_active_handles',
  'nodejs_active_handles_total',
  'nodejs_active_requests',
  'nodejs_active_requests_total',
  'nodejs_active_resources',
  'nodejs_active_resources_total',
];

/**
 * Node's process metrics (one registry for the process: its collectors live as long as it does).
 * With thousands of connections open, prom-client's fd count (a synchronous readdir of
 * /proc/self/fd) and its handle lists block the event loop for tens of ms per scrape; they are
 * left out, and `process_open_fds` is counted with an asynchronous readdir instead, refreshed in
 * the background at most once a second (a scrape reads the last count).
 */
function processMetricsText(): Promise<string> {
  if (processMetrics === undefined) {
    const registry = new PromRegistry();
    collectDefaultMetrics({ register: registry });
    for (const name of PER_HANDLE) registry.removeSingleMetric(name);
    let fds = 0;
    let refreshedAt = -Infinity;
    new Gauge({
      name: 'process_open_fds',
      help: 'Number of open file descriptors (refreshed at most once a second).',
      registers: [registry],
      collect() {
        this.set(fds);
        if (performance.now() - refreshedAt < 1000) return;
        refreshedAt = performance.now();
        readdir('/proc/self/fd').then(
          (entries) => void (fds = entries.length),
          () => undefined,
        );
      },
    });
    processMetrics = registry;
  }
  return processMetrics.metrics();
}

/** A Toxiproxy byte counter, read from the proxies at scrape time: `side` is bytes read (in) or written (out). */
function byteCounter(prom: PromRegistry, registry: Registry, name: string, help: string, side: 'in' | 'out'): void {
  new Counter({
    name,
    help,
    labelNames: BYTE_LABELS,
    registers: [prom],
    collect() {
      this.reset();
      for (const proxy of registry.list()) {
        const { up, down } = byteTotals(proxy);
        this.inc(byteLabels(proxy, 'upstream'), up[side]);
        this.inc(byteLabels(proxy, 'downstream'), down[side]);
      }
    },
  });
}

function byteLabels(proxy: Proxy, direction: 'upstream' | 'downstream'): Record<(typeof BYTE_LABELS)[number], string> {
  return { direction, proxy: proxy.name, listener: proxy.listen, upstream: proxy.upstream };
}

/** Closed connections' totals plus what the live ones have moved so far. */
function byteTotals(proxy: Proxy): { up: { in: number; out: number }; down: { in: number; out: number } } {
  const { totals } = proxy;
  const up = { in: totals.upIn, out: totals.upOut };
  const down = { in: totals.downIn, out: totals.downOut };
  for (const connection of proxy.connections) {
    up.in += connection.up?.bytesIn ?? 0;
    up.out += connection.up?.bytesOut ?? 0;
    down.in += connection.down?.bytesIn ?? 0;
    down.out += connection.down?.bytesOut ?? 0;
  }
  return { up, down };
}

function countActivation(counts: Map<string, Map<string, number>>, registry: Registry, event: FaultlineEvent): void {
  switch (event.type) {
    case 'toxic.added':
      bump(counts, event.proxy, String(event.toxic['name']));
      break;
    case 'fault.tripped':
      bump(counts, event.proxy, event.toxic);
      break;
    case 'proxy.created':
      // Toxics created with the proxy (no toxic.added events for those) count once each.
      counts.set(event.proxy, new Map(registry.get(event.proxy).toxicSet.list().map((t) => [t.name, 1])));
      break;
    case 'proxy.deleted':
      counts.delete(event.proxy);
      break;
    default:
      break;
  }
}

function bump(counts: Map<string, Map<string, number>>, proxy: string, toxic: string): void {
  const toxics = counts.get(proxy) ?? new Map<string, number>();
  toxics.set(toxic, (toxics.get(toxic) ?? 0) + 1);
  counts.set(proxy, toxics);
}
