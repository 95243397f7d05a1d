/**
 * What a control API server can do, asked once when the harness connects: whether it is faultline
 * (its `/version` says so), the toxic types it knows (a faultline server lists them at `GET /toxics`;
 * a plain Toxiproxy knows its own eight), and whether it publishes `/events`.
 */
import type { ApiClient } from '../protocol/api-client.js';
import { TOXIPROXY_TOXICS } from '../protocol/toxiproxy.js';
import type { ToxicTypeJson } from '../protocol/wire.js';

/** What one server supports. */
export interface Capabilities {
  /** `faultline <version>`, or `Toxiproxy <version>` for a server without faultline's extensions. */
  readonly server: string;
  readonly faultline: boolean;
  /** Toxic type → its attribute names. */
  readonly toxics: ReadonlyMap<string, readonly string[]>;
}

/** Asks `api` what it supports. */
export async function capabilitiesOf(api: ApiClient): Promise<Capabilities> {
  const text = await api.text('GET', '/version');
  let version: { version?: unknown; faultline?: unknown } = {};
  try {
    version = JSON.parse(text) as typeof version;
  } catch {
    // An old Toxiproxy answers its version as plain text.
  }
  const toxiproxy = typeof version.version === 'string' ? version.version : text.trim();
  if (typeof version.faultline !== 'string') {
    return { server: `Toxiproxy ${toxiproxy}`, faultline: false, toxics: TOXIPROXY_TOXICS };
  }
  const types = await api.request<ToxicTypeJson[]>('GET', '/toxics');
  return { server: `faultline ${version.faultline}`, faultline: true, toxics: new Map(types.map((t) => [t.type, t.attributes])) };
}
