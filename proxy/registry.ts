/**
 * Registry: the one mutable root of a faultline server, name → Proxy, with Toxiproxy's semantics
 * for create, update, delete, populate and reset. Lifecycle changes that bind or close listeners
 * run one at a time (they take milliseconds and never wait on connection traffic); toxic changes
 * are synchronous splices and never wait at all.
 */
import { checkName, FaultlineError, nestError } from './errors.js';
import { EventBus } from './events.js';
import { canonicalListen } from './listen-address.js';
import { Proxy, type ProxyOptions } from './proxy.js';
import { randomSeed } from './random.js';
import { realScheduler, type Scheduler } from './scheduler.js';
import { ToxicSet, type ToxicInput } from './toxic-set.js';
import { realClock, type Clock } from './toxics/toxic.js';

/** Default bound on the bytes one Link may hold (stages + destination buffer) before it pauses its reader. */
export const DEFAULT_LINK_BOUND = 1024 * 1024;

/** A proxy as a client describes it (missing fields get Toxiproxy's defaults). */
export interface ProxyInput {
  name?: string | null | undefined;
  listen?: string | null | undefined;
  upstream?: string | null | undefined;
  enabled?: boolean | null | undefined;
  /** Toxics to create with the proxy, before it listens (our extension; Toxiproxy ignores them). */
  toxics?: ToxicInput[] | null | undefined;
}

/** A change to a proxy: fields left out keep their values. */
export interface ProxyPatch {
  listen?: string | null | undefined;
  upstream?: string | null | undefined;
  enabled?: boolean | null | undefined;
}

/** Settings of a Registry; all optional. */
export interface RegistryOptions {
  seed?: string;
  clock?: Clock;
  /** How the data plane shares the event loop (default: the process's one scheduler). */
  scheduler?: Scheduler;
  linkBound?: number;
  events?: EventBus;
}

/** The outcome of populate: the proxies done, and the error that stopped it, if any. */
export interface PopulateResult {
  proxies: Proxy[];
  error?: FaultlineError;
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

  /** Applies a partial update with Toxiproxy's restart rules (3.5 of the compatibility contract). */
  update(name: string, patch: ProxyPatch): Promise<Proxy> {
    return this.#serial(async () => {
      const proxy = this.get(name);
      const listen = patch.listen ?? proxy.listen;
      const upstream = patch.upstream ?? proxy.upstream;
      const enabled = patch.enabled ?? proxy.enabled;
      const canonical = await canonicalListen(listen);
      if (canonical !== proxy.listen || upstream !== proxy.upstream) {
        await this.#stop(proxy);
        proxy.configure(listen, upstream);
      }
      if (enabled && !proxy.enabled) await this.#start(proxy);
      if (!enabled && proxy.enabled) await this.#stop(proxy);
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

  /** Re-enables every proxy and removes every toxic; stops at the first proxy that cannot listen. */
  reset(): Promise<void> {
    return this.#serial(async () => {
      for (const proxy of this.#proxies.values()) {
        if (!proxy.enabled) await this.#start(proxy);
        proxy.removeAllToxics();
      }
    });
  }

  /**
   * Adds or replaces proxies in order: all entries are validated first (nothing changes on a bad
   * one); an unchanged existing proxy is kept as it is; a changed one is replaced by a new proxy.
   * Stops at the first failure and reports the proxies done so far.
   */
  populate(inputs: ProxyInput[]): Promise<PopulateResult> {
    return this.#serial(async () => {
      inputs.forEach((input, i) => validateProxyInput(input, ` at proxy ${i + 1}`));
      const done: Proxy[] = [];
      for (const input of inputs) {
        try {
          done.push(await this.#addOrReplace(input));
        } catch (err) {
          if (err instanceof FaultlineError) return { proxies: done, error: err };
          throw err;
        }
      }
      return { proxies: done };
    });
  }

  /** Stops every proxy (server shutdown). */
  close(): Promise<void> {
    return this.#serial(async () => {
      await Promise.all([...this.#proxies.values()].map((p) => this.#stop(p)));
    });
  }

  async #addOrReplace(input: ProxyInput): Promise<Proxy> {
    const existing = this.#proxies.get(input.name as string);
    if (!existing) return this.#create(input);
    const canonical = await canonicalListen(input.listen ?? '');
    if (canonical === existing.listen && input.upstream === existing.upstream) return existing;
    await this.#stop(existing);
    this.#proxies.delete(existing.name);
    this.events.emit({ type: 'proxy.deleted', proxy: existing.name });
    return this.#create(input);
  }

  async #create(input: ProxyInput): Promise<Proxy> {
    validateProxyInput(input, '');
    const name = input.name as string;
    if (this.#proxies.has(name)) throw new FaultlineError('ERR_PROXY_EXISTS', 'proxy already exists', { field: 'name' });
    const toxics = input.toxics ?? [];
    const trial = new ToxicSet();
    toxics.forEach((toxic, i) => {
      try {
        trial.add(toxic);
      } catch (err) {
        if (!(err instanceof FaultlineError)) throw err;
        throw nestError(err, `toxics[${i}]`);
      }
    });
    const proxy = new Proxy(name, input.listen ?? '', input.upstream as string, this.#options);
    // No connection exists yet: the toxics go straight into the set, with no per-toxic events for a
    // proxy that may still fail to listen (proxy.created reports them).
    for (const toxic of toxics) proxy.toxicSet.add(toxic);
    if (input.enabled ?? true) await proxy.start();
    this.#proxies.set(name, proxy);
    this.events.emit({ type: 'proxy.created', ...summary(proxy) });
    return proxy;
  }

  async #start(proxy: Proxy): Promise<void> {
    await proxy.start();
    this.events.emit({ type: 'proxy.enabled', proxy: proxy.name, listen: proxy.listen });
  }

  async #stop(proxy: Proxy): Promise<void> {
    if (!proxy.enabled) return;
    await proxy.stop();
    this.events.emit({ type: 'proxy.disabled', proxy: proxy.name, listen: proxy.listen });
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

function validateProxyInput(input: ProxyInput, where: string): void {
  if (!input.name) throw new FaultlineError('ERR_INVALID_FIELD', `missing required field: name${where}`, { field: 'name' });
  checkName(input.name, `name${where}`);
  if (!input.upstream) {
    throw new FaultlineError('ERR_INVALID_FIELD', `missing required field: upstream${where}`, { field: 'upstream' });
  }
}

function summary(proxy: Proxy): { proxy: string; listen: string; upstream: string; enabled: boolean } {
  return { proxy: proxy.name, listen: proxy.listen, upstream: proxy.upstream, enabled: proxy.enabled };
}
