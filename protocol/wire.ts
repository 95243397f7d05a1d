/**
 * The control API's wire contract, one home for the API that writes it, and the CLI and the
 * harness that read it: the JSON shapes of proxies, toxics, connections and events. Toxiproxy's
 * snake_case names stay here, on the wire.
 */

/** The cut modes, the default first. */
export const CUT_MODES = ['reset', 'close'] as const;

/** How a connection is cut: `reset` (RST: the peer sees ECONNRESET) or `close` (FIN: a clean end). */
export type CutMode = (typeof CUT_MODES)[number];

/** A direction of a connection: `upstream` (client → server) or `downstream` (server → client). */
export type Stream = 'upstream' | 'downstream';

/** The seed of a `fraction` selector that gives none. */
export const DEFAULT_CLIENTS_SEED = 0;

/**
 * Which connections a toxic acts on (faultline; Toxiproxy ignores the field): exactly one of a
 * seeded share of connections (`fraction`, `seed` defaulting to DEFAULT_CLIENTS_SEED), client
 * addresses (`ip` or `ip:port`, `[v6]:port`) or connection ids (as `/connections` lists them).
 * Without one (or with `{}`), a toxic acts on every connection, as in Toxiproxy.
 */
export type ClientSelector = { fraction: number; seed?: number } | { addresses: string[] } | { ids: number[] };

/** A toxic as the API returns it (Toxiproxy's field order: attributes first; `clients` only when set). */
export interface ToxicJson {
  attributes: Record<string, unknown>;
  name: string;
  type: string;
  stream: Stream;
  toxicity: number;
  clients?: ClientSelector;
}

/** A toxic to add, as `POST /proxies/{proxy}/toxics` takes it. */
export interface ToxicBody {
  name: string;
  type: string;
  stream: Stream;
  toxicity: number;
  attributes: Record<string, unknown>;
  clients?: ClientSelector;
}

/** A toxic type a faultline server knows, as `GET /toxics` lists it. */
export interface ToxicTypeJson {
  type: string;
  summary: string;
  attributes: string[];
}

/** A proxy as the API returns it (the API also writes Toxiproxy's empty `Logger` object, which nobody reads). */
export interface ProxyJson {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicJson[];
}

/** A live connection, as `GET /proxies/{proxy}/connections` lists it (faultline). */
export interface ConnectionJson {
  id: number;
  client: string;
  opened_at: string;
  state: string;
  bytes_up: number;
  bytes_down: number;
  toxics: Record<Stream, string[]>;
}

/** The events of `GET /events` (faultline) and what each carries. */
export type EventBody =
  | { type: 'proxy.created' | 'proxy.updated'; proxy: string; listen: string; upstream: string; enabled: boolean }
  | { type: 'proxy.deleted'; proxy: string }
  | { type: 'proxy.enabled' | 'proxy.disabled'; proxy: string; listen: string }
  | { type: 'toxic.added' | 'toxic.updated'; proxy: string; toxic: ToxicJson }
  | { type: 'toxic.removed'; proxy: string; toxic: string }
  | { type: 'toxic.unknown_attributes'; proxy: string; toxic: string; toxic_type: string; attributes: string[] }
  | { type: 'toxic.bypassed'; proxy: string; connection: number; toxic: string; toxic_type: string; reason: string }
  | { type: 'connection.opened'; proxy: string; connection: number; client: string }
  | { type: 'connection.closed'; proxy: string; connection: number; reason: string; bytes_up: number; bytes_down: number }
  | { type: 'connection.failed'; proxy: string; client: string; error: string }
  | { type: 'proxy.error'; proxy: string; error: string }
  | { type: 'fault.tripped'; proxy: string; connection: number; toxic: string; detail: string }
  /** Asked for with `POST /events/mark`: every event before it on a stream has been delivered once it arrives. */
  | { type: 'events.mark'; label: string };

/** An event as delivered: its body, `at` (the server's monotonic ms) and `time` (wall clock, ISO 8601). */
export type EventJson = EventBody & { at: number; time: string };
