/**
 * What happens to a new client before it becomes a Connection: the upstream address it will be
 * dialled to, and the cut at accept of a toxic like `drop` (the upstream is then never dialled).
 */
import type { Socket } from 'node:net';
import { connectionRandom, type ConnectionHost, type Dial } from './connection.js';
import { splitHostPort } from './listen-address.js';
import { picks, type ToxicSet } from './toxic-set.js';

/** What cutOnAccept needs of the proxy. */
export interface AcceptHost extends ConnectionHost {
  readonly toxicSet: ToxicSet;
}

/** Cuts client `id` at once if a toxic like `drop` is active on it; returns whether it did. */
export function cutOnAccept(host: AcceptHost, id: number, client: Socket): boolean {
  const candidates = host.toxicSet.cutOnAccept;
  if (candidates.length === 0) return false;
  const toxic = candidates.find((t) => picks(t, id, client) && connectionRandom(host, id, t, 'toxicity')() < t.toxicity);
  if (!toxic?.definition.cutOnAccept) return false;
  const mode = toxic.definition.cutOnAccept(toxic.attributes);
  const reason = `${toxic.type} (${mode})`;
  const { events, name: proxy } = host;
  if (events.wants('connection.opened')) {
    events.emit({ type: 'connection.opened', proxy, connection: id, client: `${client.remoteAddress}:${client.remotePort}` });
  }
  events.emit({ type: 'fault.tripped', proxy, connection: id, toxic: toxic.name, detail: reason });
  client.on('error', ignore);
  if (mode === 'reset') client.resetAndDestroy();
  else client.end(() => client.destroy());
  events.emit({ type: 'connection.closed', proxy, connection: id, reason, bytes_up: 0, bytes_down: 0 });
  return true;
}

/** A client closed without a Connection may still report an error (a reset); it must not reach the server. */
export function ignore(): void {
  // Nothing to do: the client is being closed anyway.
}

/** The address to dial for `upstream`, or null when it cannot be dialled (Toxiproxy never validates upstreams). */
export function upstreamDial(upstream: string): Dial | null {
  try {
    const { host, port } = splitHostPort(upstream);
    return port === 0 ? null : { host: host === '' ? 'localhost' : host, port };
  } catch {
    return null;
  }
}
