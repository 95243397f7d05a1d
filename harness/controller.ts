/**
 * Controller: flips proxy state for the Runner, only through the control API. Everything Toxiproxy
 * has goes through the published toxiproxy-node-client, so scenarios that use only Toxiproxy's
 * faults (refuse, latency, a black hole made of `timeout` toxics) also run against a real
 * Toxiproxy. faultline's own faults (drop, blackhole, flaky) need a faultline server. When the
 * server publishes events, each fault is timed from the moment the proxy applied it.
 */
import { randomUUID } from 'node:crypto';
import { Toxiproxy, type Proxy as ClientProxy } from 'toxiproxy-node-client';
import { ApiClient, apiPath } from '../protocol/api-client.js';
import type { ConnectionJson, EventJson, ToxicBody } from '../protocol/wire.js';
import { capabilitiesOf, type Capabilities } from './capabilities.js';
import { ControlHttp } from './control-http.js';
import { EventStream } from './event-stream.js';
import type { PlannedFault } from './plan.js';
import type { ConnectionEntry, FaultEntry, Timeline } from './timeline.js';

/** How long to wait for the proxy's event after the API answered. */
const EVENT_WAIT_MS = 250;

/** Drives one control API (faultline or Toxiproxy) for one scenario run. */
export class Controller {
  readonly url: string;
  #client: Toxiproxy;
  #api: ApiClient;
  #events = new EventStream();
  #capabilities: Capabilities | undefined;
  #timeline: Timeline | undefined;
  /** Toxics this controller added, per proxy, so heal removes exactly those. */
  #added = new Map<string, Set<string>>();

  #sameClock: boolean;

  #headers: Record<string, string>;

  /** `sameClock`: the server runs in this process, so its events' monotonic times are ours. `token`: the API's bearer token. */
  constructor(url: string, options: { sameClock?: boolean; token?: string } = {}) {
    this.url = url.replace(/\/+$/, '');
    this.#client = new Toxiproxy(this.url);
    this.#api = new ApiClient(this.url, options.token);
    this.#client.api = new ControlHttp(this.#api) as unknown as Toxiproxy['api'];
    this.#sameClock = options.sameClock ?? false;
    this.#headers = options.token ? { authorization: `Bearer ${options.token}` } : {};
  }

  /** What the server supports (known once connected). */
  get capabilities(): Capabilities {
    if (!this.#capabilities) throw new Error('Controller.connect() first');
    return this.#capabilities;
  }

  /** Asks the server what it supports, and subscribes to its events when it has them. */
  async connect(): Promise<void> {
    this.#capabilities = await capabilitiesOf(this.#api);
    if (this.#capabilities.faultline) await this.#events.open(this.url, this.#headers);
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
    if (!this.capabilities.faultline) return null;
    return (await this.#api.request<ConnectionJson[]>('GET', apiPath('proxies', name, 'connections'))).length;
  }

  /**
   * Waits until every event the server emitted so far has arrived on this controller's stream: it
   * asks for a mark (`POST /events/mark`) and waits for it, as events arrive in order (through the
   * server's API thread they may lag what its proxies delivered). Nothing to wait for on a server
   * without events; a server without the mark route is not waited for.
   */
  async settleEvents(): Promise<void> {
    if (!this.#events.available) return;
    const label = `settle-${randomUUID()}`;
    const from = this.#events.events.length;
    try {
      await this.#api.request('POST', '/events/mark', { label });
    } catch {
      return;
    }
    await this.#events.find(from, (e) => e.type === 'events.mark' && e.label === label, EVENT_WAIT_MS);
  }

  /** Puts a planned fault on proxy `proxy` and records it on the timeline. */
  async apply(path: string, proxy: string, fault: PlannedFault): Promise<FaultEntry> {
    // A fault on some clients only says which, so the result can tell its healthy clients apart.
    const clients = fault.toxics.find((t) => t.clients !== undefined)?.clients;
    return this.#timed('fault', path, proxy, fault.label, clients ? { clients } : {}, async () => {
      const current = await this.#client.get(proxy);
      const matchers = await Promise.all(fault.toxics.map((t) => this.#addToxic(current, t)));
      if (fault.disable) {
        await current.update({ enabled: false, listen: current.listen, upstream: current.upstream });
        matchers.push((e) => e.type === 'proxy.disabled' && e.proxy === proxy);
      }
      return matchers;
    });
  }

  /** Takes every fault this controller put on `proxy` off again and records it. */
  async heal(path: string, proxy: string): Promise<FaultEntry> {
    return this.#timed('heal', path, proxy, 'heal', {}, async () => {
      const matchers: Array<(e: EventJson) => boolean> = [];
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

  /**
   * The connections proxy `proxy` (on `path`) opened and closed since `timeline` started, as it
   * published them on `/events` (none on a server without events).
   */
  connectionEntries(path: string, proxy: string, timeline: Timeline): ConnectionEntry[] {
    const out: ConnectionEntry[] = [];
    for (const e of this.#events.events) {
      if ((e.type !== 'connection.opened' && e.type !== 'connection.closed') || e.proxy !== proxy) continue;
      const at = this.#sameClock ? timeline.fromMono(e.at) : timeline.fromWall(e.time);
      if (at < 0) continue;
      out.push({ type: 'connection', path, at, event: e.type === 'connection.opened' ? 'opened' : 'closed', connection: e.connection });
    }
    return out;
  }

  close(): void {
    this.#events.close();
  }

  async #addToxic(current: ClientProxy, toxic: ToxicBody): Promise<(e: EventJson) => boolean> {
    const proxy = current.name;
    await current.addToxic(toxic as unknown as Parameters<ClientProxy['addToxic']>[0]);
    const names = this.#added.get(proxy) ?? new Set<string>();
    names.add(toxic.name);
    this.#added.set(proxy, names);
    return (e) => e.type === 'toxic.added' && e.proxy === proxy && e.toxic.name === toxic.name;
  }

  async #timed(
    type: 'fault' | 'heal',
    path: string,
    proxy: string,
    fault: string,
    detail: Record<string, unknown>,
    act: () => Promise<Array<(e: EventJson) => boolean>>,
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
        const at = (e: EventJson): number => (this.#sameClock ? timeline.fromMono(e.at) : timeline.fromWall(e.time));
        applied = Math.max(requested, ...seen.map((e) => at(e as EventJson)));
        applied = Math.min(applied, answered);
        source = 'proxy-event';
      }
    }
    const entry: FaultEntry = { type, path, fault, requested, applied, source, detail: { proxy, ...detail } };
    timeline.add(entry);
    return entry;
  }
}
