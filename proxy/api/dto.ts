/**
 * Wire shapes of the control API, in Go's field order. `"Logger":{}` is an accidental export of
 * Toxiproxy's logger pointer that every 2.5+ server emits; we keep it for byte-level parity.
 */
import type { Proxy } from '../proxy.js';
import { toxicToJson } from '../toxic-set.js';
import type { ProxyJson } from '../../protocol/wire.js';

/** A proxy as Toxiproxy returns it: name, listen, upstream, enabled, Logger, toxics (never null). */
export function proxyToJson(proxy: Proxy): ProxyJson & { Logger: Record<string, never> } {
  return {
    name: proxy.name,
    listen: proxy.listen,
    upstream: proxy.upstream,
    enabled: proxy.enabled,
    Logger: {},
    toxics: proxy.toxicSet.list().map(toxicToJson),
  };
}

/**
 * `GET /proxies`: an object keyed by name in the order given (the Registry sorts by name). Built as
 * text because JSON.stringify would move integer-like names such as "10" ahead of the others.
 */
export function proxyMapText(proxies: readonly Proxy[]): string {
  const members = proxies.map((p) => `${JSON.stringify(p.name)}:${JSON.stringify(proxyToJson(p))}`);
  return `{${members.join(',')}}`;
}

/** The body of `POST /populate`: the proxies done, and the error that stopped it, if any. */
export function populateText(proxies: readonly Proxy[] | null, error?: { message: string; status: number }): string {
  const list = proxies === null ? null : proxies.map(proxyToJson);
  return JSON.stringify(error ? { error: error.message, status: error.status, proxies: list } : { proxies: list });
}
