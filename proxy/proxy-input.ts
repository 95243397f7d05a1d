/**
 * A proxy as a client describes it (API body, populate entry, config file): the fields, their
 * validation, and the stopped Proxy built from them with its toxics (validated whole first).
 */
import { checkName, FaultlineError, nestError } from './errors.js';
import { Proxy, type ProxyOptions } from './proxy.js';
import { ToxicSet, type ToxicInput } from './toxic-set.js';

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

/** Throws ERR_INVALID_FIELD unless `input` has a valid name and an upstream; `where` ends the message (` at proxy 2`). */
export function validateProxyInput(input: ProxyInput, where: string): void {
  if (!input.name) throw new FaultlineError('ERR_INVALID_FIELD', `missing required field: name${where}`, { field: 'name' });
  checkName(input.name, `name${where}`);
  if (!input.upstream) {
    throw new FaultlineError('ERR_INVALID_FIELD', `missing required field: upstream${where}`, { field: 'upstream' });
  }
}

/** A stopped proxy for `input`, with its toxics (all validated before any is added; none is announced). */
export function buildProxy(input: ProxyInput, options: ProxyOptions): Proxy {
  const toxics = input.toxics ?? [];
  const trial = new ToxicSet(options.strict);
  toxics.forEach((toxic, i) => {
    try {
      trial.add(toxic);
    } catch (err) {
      if (!(err instanceof FaultlineError)) throw err;
      throw nestError(err, `toxics[${i}]`);
    }
  });
  const proxy = new Proxy(input.name as string, input.listen ?? '', input.upstream as string, options);
  // No connection exists yet: the toxics go straight into the set; proxy.created reports them.
  for (const toxic of toxics) proxy.toxicSet.add(toxic);
  return proxy;
}
