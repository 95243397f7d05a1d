/**
 * Registry: the one mutable root of a faultline server, name → Proxy, with Toxiproxy's semantics
 * for create, update, delete, populate and reset. Lifecycle changes that bind or close listeners
 * run one at a time (they take milliseconds and never wait on connection traffic); toxic changes
 * are synchronous splices and never wait at all.
 */
import { FaultlineError } from './errors.js';
import { EventBus } from './events.js';
import { canonicalListen } from './listen-address.js';
import { bindOver, closeListener, type Listener } from './listener.js';
import type { Proxy, ProxyOptions } from './proxy.js';
import { buildProxy } from './build-proxy.js';
import { validateProxyInput, type ProxyInput, type ProxyPatch } from './input.js';
import { randomSeed } from './random.js';
import { realScheduler, type Scheduler } from './scheduler.js';
import { realClock, type Clock } from './clock.js';

export type { ProxyInput, ProxyPatch } from './input.js';

/** Default bound on the bytes one Link may hold (stages + destination buffer) before it pauses its reader. */
export const DEFAULT_LINK_BOUND = 1024 * 1024;

/** Settings of a Registry; all optional. */
export interface RegistryOptions {
  seed?: string;
  clock?: Clock;
  /** How the data plane shares the event loop (default: the process's one scheduler). */
  scheduler?: Scheduler;
  linkBound?: number;
  events?: EventBus;
  /** Reject unknown toxic attributes (400) instead of accepting them with a warning event. */
  strict?: boolean;
}

/** The outcome of populate: the proxies done, and the error that stopped it, if any. */
export interface PopulateResult {
  proxies: Proxy[];
  error?: FaultlineError;
}

/** What a populate has done so far: proxies made, proxies they replace, and how to take each step back. */
interface Change {
  fresh: Proxy[];
  replaced: Proxy[];
  undo: Array<() => Promise<void>>;
}

/** All proxies of one server. */
export class Registry {
  readonly events: EventBus;
  readonly seed: string;
  #proxies = new Map<string, Proxy>();
  #options: ProxyOptions;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: RegistryOptions = {}) {
    this.events = options.events ?? new EventBus();
    this.seed = options.seed ?? randomSeed();
    this.#options = {
      clock: options.clock ?? realClock,
      scheduler: options.scheduler ?? realScheduler,
      seed: this.seed,
      linkBound: options.linkBound ?? DEFAULT_LINK_BOUND,
      events: this.events,
      strict: options.strict ?? false,
    };
  }

  /** Every proxy, sorted by name (Go sorts map keys). */
  list(): Proxy[] {
    return [...this.#proxies.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  get(name: string): Proxy {
    const proxy = this.#proxies.get(name);
    if (!proxy) throw new FaultlineError('ERR_PROXY_NOT_FOUND', 'proxy not found');
    return proxy;
  }

  /** Creates a proxy (with its toxics, atomically) and starts it unless `enabled` is false. */
  create(input: ProxyInput): Promise<Proxy> {
    return this.#serial(() => this.#create(input));
  }

  /**
   * Applies a partial update with Toxiproxy's restart rules (3.5 of the compatibility contract),
   * all or nothing: a new address is bound before the old one is given up, so an update that
   * cannot listen leaves the proxy as it was (address, enabled state, live connections).
   */
  update(name: string, patch: ProxyPatch): Promise<Proxy> {
    return this.#serial(async () => {
      const proxy = this.get(name);
      const listen = patch.listen ?? proxy.listen;
      const upstream = patch.upstream ?? proxy.upstream;
      const enabled = patch.enabled ?? proxy.enabled;
      const moved = (await canonicalListen(listen)) !== proxy.listen;
      const rerouted = upstream !== proxy.upstream;
      if (!enabled) {
        await this.#stop(proxy);
        if (moved || rerouted) proxy.configure(listen, upstream);
      } else if (!proxy.enabled) {
        const listener = await proxy.bind(moved ? listen : proxy.listen);
        proxy.configure(listen, upstream);
        this.#install(proxy, listener);
      } else if (moved) {
        const listener = await bindOver(proxy, listen, () => proxy.bind(listen));
        await this.#stop(proxy);
        proxy.configure(listen, upstream);
        this.#install(proxy, listener);
      } else if (rerouted) {
        // Toxiproxy restarts the listener on the same address; keeping it open is the same, minus the gap.
        proxy.reroute(upstream);
        this.events.emit({ type: 'proxy.disabled', proxy: proxy.name, listen: proxy.listen });
        this.events.emit({ type: 'proxy.enabled', proxy: proxy.name, listen: proxy.listen });
      }
      this.events.emit({ type: 'proxy.updated', ...summary(proxy) });
      return proxy;
    });
  }

  /** Stops and removes a proxy. */
  remove(name: string): Promise<void> {
    return this.#serial(async () => {
      const proxy = this.get(name);
      await this.#stop(proxy);
      this.#proxies.delete(name);
      this.events.emit({ type: 'proxy.deleted', proxy: name });
    });
  }

  /** Re-enables every proxy and removes every toxic; if one cannot listen, nothing changes. */
  reset(): Promise<void> {
    return this.#serial(async () => {
      const bound: Array<[Proxy, Listener]> = [];
      try {
        for (const proxy of this.#proxies.values()) if (!proxy.enabled) bound.push([proxy, await proxy.bind(proxy.listen)]);
      } catch (err) {
        await Promise.all(bound.map(([, listener]) => closeListener(listener)));
        throw err;
      }
      for (const [proxy, listener] of bound) this.#install(proxy, listener);
      for (const proxy of this.#proxies.values()) proxy.removeAllToxics();
    });
  }

  /**
   * Adds or replaces proxies in order: an unchanged existing proxy is kept as it is; a changed one
   * is replaced by a new proxy. All or nothing: every entry is validated first, and if one cannot
   * listen, the proxies created so far are removed and the replaced ones kept (they were never
   * stopped), so the registry is as it was.
   */
  populate(inputs: ProxyInput[]): Promise<PopulateResult> {
    return this.#serial(async () => {
      inputs.forEach((input, i) => validateProxyInput(input, ` at proxy ${i + 1}`));
      const done: Proxy[] = [];
      const change: Change = { fresh: [], replaced: [], undo: [] };
      try {
        for (const input of inputs) done.push(await this.#addOrReplace(input, change));
      } catch (err) {
        for (const step of change.undo.reverse()) await step();
        if (err instanceof FaultlineError) return { proxies: [], error: err };
        throw err;
      }
      for (const old of change.replaced) {
        await this.#stop(old);
        if (!change.fresh.includes(old)) this.events.emit({ type: 'proxy.deleted', proxy: old.name });
      }
      for (const proxy of change.fresh) if (!change.replaced.includes(proxy)) this.#announce(proxy);
      return { proxies: done };
    });
  }

  /** Stops every proxy (server shutdown). */
  close(): Promise<void> {
    return this.#serial(async () => {
      await Promise.all([...this.#proxies.values()].map((p) => this.#stop(p)));
    });
  }

  /** One populate entry: keeps an unchanged proxy, else creates (or replaces) it, noting in `change` how to take it back. */
  async #addOrReplace(input: ProxyInput, change: Change): Promise<Proxy> {
    const name = input.name as string;
    const existing = this.#proxies.get(name);
    if (existing) {
      const canonical = await canonicalListen(input.listen ?? '');
      if (canonical === existing.listen && input.upstream === existing.upstream) return existing;
    }
    const proxy = buildProxy(input, this.#options);
    if (input.enabled ?? true) {
      const bind = (): Promise<Listener> => proxy.bind(proxy.listen);
      proxy.install(existing ? await bindOver(existing, proxy.listen, bind) : await bind());
    }
    this.#proxies.set(name, proxy);
    change.fresh.push(proxy);
    if (existing) change.replaced.push(existing);
    change.undo.push(async () => {
      await proxy.stop();
      if (!existing) {
        this.#proxies.delete(name);
        return;
      }
      change.replaced.pop();
      this.#proxies.set(name, existing);
      if (existing.suspended) await existing.reopen();
    });
    return proxy;
  }

  async #create(input: ProxyInput): Promise<Proxy> {
    validateProxyInput(input, '');
    if (this.#proxies.has(input.name as string)) throw new FaultlineError('ERR_PROXY_EXISTS', 'proxy already exists', { field: 'name' });
    const proxy = buildProxy(input, this.#options);
    if (input.enabled ?? true) await proxy.start();
    this.#proxies.set(proxy.name, proxy);
    this.#announce(proxy);
    return proxy;
  }

  /** Reports a new proxy, and any attributes its toxics were given that their types do not know. */
  #announce(proxy: Proxy): void {
    this.events.emit({ type: 'proxy.created', ...summary(proxy) });
    for (const toxic of proxy.toxicSet.list()) proxy.warnIgnored(toxic, toxic.ignored);
  }

  #install(proxy: Proxy, listener: Listener): void {
    proxy.install(listener);
    this.events.emit({ type: 'proxy.enabled', proxy: proxy.name, listen: proxy.listen });
  }

  async #stop(proxy: Proxy): Promise<void> {
    if (!proxy.enabled) return;
    // Stamped when the listener starts closing and the connections are cut, not when the close completes.
    const at = performance.now();
    await proxy.stop();
    this.events.emit({ type: 'proxy.disabled', proxy: proxy.name, listen: proxy.listen }, at);
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

function summary(proxy: Proxy): { proxy: string; listen: string; upstream: string; enabled: boolean } {
  return { proxy: proxy.name, listen: proxy.listen, upstream: proxy.upstream, enabled: proxy.enabled };
}
