/**
 * Controller: flips proxy state for the Runner, only through the control API. Everything Toxiproxy
 * has goes through the published toxiproxy-node-client, so scenarios that use only Toxiproxy's
 * faults (refuse, latency, a black hole made of `timeout` toxics) also run against a real
 * Toxiproxy. faultline's own faults (drop, blackhole, flaky) need a faultline server. When the
 * server publishes events, each fault is timed from the moment the proxy applied it.
 */
import { Toxiproxy, type Proxy as ClientProxy } from 'toxiproxy-node-client';
import { PARTITION_TOXICS } from '../proxy/commands/connections.js';
import { ControlHttp } from './control-http.js';
import { EventStream, type ProxyEvent } from './event-stream.js';
import type { FaultEntry, Timeline } from './timeline.js';

/** A toxic the harness adds (the wire body of POST /proxies/{name}/toxics). */
export interface ToxicBody {
  name: string;
  type: string;
  stream: 'upstream' | 'downstream';
  toxicity: number;
  attributes: Record<string, unknown>;
}

/** What to put on a path. */
export type Fault =
  | { kind: 'partition'; mode: 'drop' | 'blackhole' | 'refuse'; cut: 'reset' | 'close' }
  | { kind: 'toxic'; label: string; toxic: ToxicBody };

/** The toxics of a partition: the same names `faultline partition` and `faultline heal` use. */
const [DROP, UP, DOWN] = PARTITION_TOXICS as [string, string, string];

/** How long to wait for the proxy's event after the API answered. */
const EVENT_WAIT_MS = 250;

/** Drives one control API (faultline or Toxiproxy) for one scenario run. */
export class Controller {
  readonly url: string;
  #client: Toxiproxy;
  #http: ControlHttp;
  #events = new EventStream();
  #faultline = false;
  #timeline: Timeline | undefined;
  /** Toxics this controller added, per proxy, so heal removes exactly those. */
  #added = new Map<string, Set<string>>();

  #sameClock: boolean;

  #headers: Record<string, string>;

  /** `sameClock`: the server runs in this process, so its events' monotonic times are ours. `token`: the API's bearer token. */
  constructor(url: string, options: { sameClock?: boolean; token?: string } = {}) {
    this.url = url.replace(/\/+$/, '');
    this.#client = new Toxiproxy(this.url);
    this.#http = new ControlHttp(options.token);
    this.#client.api = this.#http as unknown as Toxiproxy['api'];
    this.#sameClock = options.sameClock ?? false;
    this.#headers = options.token ? { authorization: `Bearer ${options.token}` } : {};
  }

  /** Whether the server is faultline (it reports its own version in GET /version). */
  get isFaultline(): boolean {
    return this.#faultline;
  }

  /** Checks the server answers and subscribes to its events when it has them. */
  async connect(): Promise<void> {
    const version = await this.#client.getVersion().catch((err: unknown) => {
      throw new Error(`cannot reach the control API at ${this.url} (${(err as Error).message})`);
    });
    try {
      this.#faultline = typeof (JSON.parse(version) as { faultline?: unknown }).faultline === 'string';
    } catch {
      this.#faultline = false;
    }
    if (this.#faultline) await this.#events.open(this.url, this.#headers);
  }

  /** Times the next faults on `timeline`. */
  use(timeline: Timeline): void {
    this.#timeline = timeline;
  }

  /** Creates (or replaces) proxy `name` in front of `upstream`; returns its listen address. */
  async ensureProxy(name: string, upstream: string, listen = '127.0.0.1:0'): Promise<string> {
    const proxies = await this.#client.populate([{ name, listen, upstream, enabled: true }]);
    return (proxies[name] as ClientProxy).listen;
  }

  /** Deletes proxy `name` (cleanup after a run). */
  async removeProxy(name: string): Promise<void> {
    await (await this.#client.get(name)).remove();
  }

  /** How many live connections proxy `name` holds (faultline's `/connections`); null on a server without it. */
  async connections(name: string): Promise<number | null> {
    if (!this.#faultline) return null;
    const { data } = await this.#http.get<unknown[]>(`${this.url}/proxies/${encodeURIComponent(name)}/connections`);
    return Array.isArray(data) ? data.length : null;
  }

  /** Puts `fault` on proxy `proxy` and records it on the timeline. */
  async apply(path: string, proxy: string, fault: Fault): Promise<FaultEntry> {
    const label = fault.kind === 'partition' ? `partition:${fault.mode}` : fault.label;
    return this.#timed('fault', path, proxy, label, async () => {
      const current = await this.#client.get(proxy);
      if (fault.kind === 'toxic') return [await this.#addToxic(current, fault.toxic)];
      if (fault.mode === 'refuse') {
        await current.update({ enabled: false, listen: current.listen, upstream: current.upstream });
        return [(e) => e.type === 'proxy.disabled' && e.proxy === proxy];
      }
      return Promise.all(partitionToxics(fault.mode, fault.cut, this.#faultline).map((t) => this.#addToxic(current, t)));
    });
  }

  /** Takes every fault this controller put on `proxy` off again and records it. */
  async heal(path: string, proxy: string): Promise<FaultEntry> {
    return this.#timed('heal', path, proxy, 'heal', async () => {
      const matchers: Array<(e: ProxyEvent) => boolean> = [];
      const current = await this.#client.get(proxy);
      for (const name of this.#added.get(proxy) ?? []) {
        await (await current.getToxic(name)).remove();
        matchers.push((e) => e.type === 'toxic.removed' && e.proxy === proxy && e.toxic === name);
      }
      this.#added.delete(proxy);
      if (!current.enabled) {
        await current.update({ enabled: true, listen: current.listen, upstream: current.upstream });
        matchers.push((e) => e.type === 'proxy.enabled' && e.proxy === proxy);
      }
      return matchers;
    });
  }

  close(): void {
    this.#events.close();
  }

  async #addToxic(current: ClientProxy, toxic: ToxicBody): Promise<(e: ProxyEvent) => boolean> {
    const proxy = current.name;
    await current.addToxic(toxic as unknown as Parameters<ClientProxy['addToxic']>[0]);
    const names = this.#added.get(proxy) ?? new Set<string>();
    names.add(toxic.name);
    this.#added.set(proxy, names);
    return (e) => e.type === 'toxic.added' && e.proxy === proxy && (e.toxic as { name?: string } | undefined)?.name === toxic.name;
  }

  async #timed(
    type: 'fault' | 'heal',
    path: string,
    proxy: string,
    fault: string,
    act: () => Promise<Array<(e: ProxyEvent) => boolean>>,
  ): Promise<FaultEntry> {
    const timeline = this.#timeline;
    if (!timeline) throw new Error('Controller.use(timeline) first');
    const from = this.#events.events.length;
    const requested = timeline.now();
    const matchers = await act();
    const answered = timeline.now();
    let applied = answered;
    let source: FaultEntry['source'] = 'api-response';
    if (this.#events.available && matchers.length > 0) {
      const seen = await Promise.all(matchers.map((m) => this.#events.find(from, m, EVENT_WAIT_MS)));
      if (seen.every((e) => e !== undefined)) {
        const at = (e: ProxyEvent): number => (this.#sameClock ? timeline.fromMono(e.at) : timeline.fromWall(e.time));
        applied = Math.max(requested, ...seen.map((e) => at(e as ProxyEvent)));
        applied = Math.min(applied, answered);
        source = 'proxy-event';
      }
    }
    const entry: FaultEntry = { type, path, fault, requested, applied, source, detail: { proxy } };
    timeline.add(entry);
    return entry;
  }
}

/** The toxics that make a partition: faultline's own, or Toxiproxy's `timeout` 0 as a black hole. */
function partitionToxics(mode: 'drop' | 'blackhole', cut: 'reset' | 'close', faultline: boolean): ToxicBody[] {
  const toxic = (name: string, type: string, stream: 'upstream' | 'downstream', attributes: Record<string, unknown>): ToxicBody => ({
    name,
    type,
    stream,
    toxicity: 1,
    attributes,
  });
  if (mode === 'drop') {
    if (!faultline) throw new Error('partition mode "drop" needs a faultline server (Toxiproxy has no drop toxic)');
    return [toxic(DROP, 'drop', 'downstream', { mode: cut })];
  }
  const type = faultline ? 'blackhole' : 'timeout';
  const attributes = faultline ? {} : { timeout: 0 };
  return [toxic(UP, type, 'upstream', attributes), toxic(DOWN, type, 'downstream', attributes)];
}
