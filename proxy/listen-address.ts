/**
 * Listen addresses as Toxiproxy renders them: `host:port`, IPv6 in brackets, wildcards (`""`,
 * `:port`, `0.0.0.0`, `::`) bound dual-stack and shown as `[::]:port`, host names resolved
 * preferring IPv4 (`localhost:0` → `127.0.0.1:<real port>`).
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { FaultlineError } from './errors.js';

/** A host and port split out of `host:port` (the host may be empty). */
export interface HostPort {
  host: string;
  port: number;
}

/** Splits `host:port`, `[v6]:port` or `:port`; throws ERR_LISTEN (Toxiproxy: 500) when malformed. */
export function splitHostPort(address: string): HostPort {
  if (address === '') return { host: '', port: 0 };
  const match = /^(?:\[([^\]]*)\]|([^:[\]]*)):([^:]*)$/.exec(address);
  if (!match) throw new FaultlineError('ERR_LISTEN', `address ${address}: missing port in address`);
  const host = match[1] ?? match[2] ?? '';
  const portText = match[3] ?? '';
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new FaultlineError('ERR_LISTEN', `address ${address}: invalid port`);
  return { host, port };
}

/** Renders a host and port the way Go does: `[v6]:port`, `v4:port`, wildcard as `[::]`. */
export function joinHostPort(host: string, port: number): string {
  if (host === '' || host === '::' || host === '0.0.0.0') return `[::]:${port}`;
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Where to bind for `address`: the IP (empty for the dual-stack wildcard) and the port. */
export async function resolveListen(address: string): Promise<HostPort> {
  const { host, port } = splitHostPort(address);
  if (host === '' || host === '0.0.0.0' || host === '::') return { host: '', port };
  if (isIP(host)) return { host, port };
  try {
    const addresses = await lookup(host, { all: true });
    const chosen = addresses.find((a) => a.family === 4) ?? addresses[0];
    if (!chosen) throw new Error('no addresses');
    return { host: chosen.address, port };
  } catch (cause) {
    throw new FaultlineError('ERR_LISTEN', `listen tcp: lookup ${host}: no such host`, { cause });
  }
}

/** The form Toxiproxy compares to decide whether a listen address changed (`localhost` → IPv4). */
export async function canonicalListen(address: string): Promise<string> {
  const { host, port } = await resolveListen(address);
  return joinHostPort(host, port);
}
