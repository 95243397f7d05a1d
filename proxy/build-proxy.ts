/** A new Proxy for a client's input: stopped, with its toxics, all validated before any is added. */
import { FaultlineError, nestError } from './errors.js';
import type { ProxyInput } from './input.js';
import { Proxy, type ProxyOptions } from './proxy.js';
import { ToxicSet } from './toxic-set.js';

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
