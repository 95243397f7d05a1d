/**
 * Client selectors (faultline's `clients` field of a toxic): which connections of a proxy a toxic
 * acts on. A `fraction` picks connection ids along a golden-ratio sequence whose start the seed
 * sets: the same seed and ids give the same picks, and any run of consecutive ids gets the
 * fraction to within a few connections (a coin per id would be off by ±5 in 100 for one half).
 * `addresses` match the client's IP, or IP and port; `ids` match connection ids.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { DEFAULT_CLIENTS_SEED, type ClientSelector } from '../protocol/wire.js';
import { FaultlineError } from './errors.js';
import { deriveRandom } from './random.js';

/** What a matcher reads of a client socket (read only for `addresses`: it costs a system call). */
export interface ClientSocket {
  readonly remoteAddress?: string | undefined;
  readonly remotePort?: number | undefined;
}

/** Whether connection `id`, from `socket`, is one a selector picks. */
export type ClientMatch = (id: number, socket: ClientSocket) => boolean;

/** 1/φ: consecutive multiples of it fill [0, 1) more evenly than any other step. */
const GOLDEN = (Math.sqrt(5) - 1) / 2;

const fraction = z.strictObject({
  fraction: z.number({ error: 'must be a number between 0 and 1' }).min(0, { error: 'must be >= 0' }).max(1, { error: 'must be <= 1' }),
  seed: z.number({ error: 'must be an integer' }).int({ error: 'must be an integer' }).default(DEFAULT_CLIENTS_SEED),
});

const address = z.string({ error: 'must be a string: an IP address, optionally with :port' }).refine((a) => parseAddress(a) !== undefined, {
  error: 'must be an IP address, optionally with :port (127.0.0.2, 127.0.0.2:5000, [::1]:5000)',
});

const addresses = z.strictObject({
  addresses: z.array(address, { error: 'must be an array of addresses' }).min(1, { error: 'must list at least one address' }),
});

const ids = z.strictObject({
  ids: z
    .array(z.number({ error: 'must be a connection id' }).int({ error: 'must be an integer' }).min(1, { error: 'must be >= 1' }), {
      error: 'must be an array of connection ids',
    })
    .min(1, { error: 'must list at least one id' }),
});

const KINDS = ['fraction', 'addresses', 'ids'] as const;

/**
 * Validates a `clients` field; `{}` (or absent) means every connection and gives undefined.
 * Throws ERR_INVALID_FIELD naming the field (`clients.fraction`, `clients.addresses.1`, ...).
 */
export function parseClientSelector(value: unknown): ClientSelector | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid('clients', 'must be an object: {fraction}, {addresses} or {ids}');
  const given = KINDS.filter((kind) => kind in value);
  if (given.length === 0) {
    const [unknown] = Object.keys(value);
    if (unknown === undefined) return undefined;
    throw invalid(`clients.${unknown}`, `unknown selector (give one of ${KINDS.join(', ')})`);
  }
  if (given.length > 1) throw invalid('clients', `give one of ${KINDS.join(', ')}, not ${given.join(' and ')}`);
  const schema = { fraction, addresses, ids }[given[0] as (typeof KINDS)[number]];
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.code === 'unrecognized_keys' ? [issue.keys[0] ?? ''] : (issue?.path ?? []);
  const message = issue?.code === 'unrecognized_keys' ? `unknown field of a ${given[0]} selector` : (issue?.message ?? 'invalid');
  throw invalid(['clients', ...path].join('.'), message);
}

/**
 * The same validation as a zod schema, for files validated by zod (scenario steps): an issue at
 * the selector's own field, e.g. `….clients.fraction: must be <= 1`.
 */
export const clientSelectorSchema: z.ZodType<ClientSelector | undefined, unknown> = z.unknown().transform((value, ctx) => {
  try {
    return parseClientSelector(value);
  } catch (err) {
    const { field, message } = err as FaultlineError;
    const path = (field ?? 'clients').split('.').slice(1);
    ctx.addIssue({ code: 'custom', message: message.slice(message.indexOf(': ') + 2), path });
    return z.NEVER;
  }
});

/** The matcher of `selector`. */
export function clientMatcher(selector: ClientSelector): ClientMatch {
  if ('fraction' in selector) {
    const share = selector.fraction;
    const start = deriveRandom(String(selector.seed ?? DEFAULT_CLIENTS_SEED), 'clients')();
    return (id) => (start + id * GOLDEN) % 1 < share;
  }
  if ('ids' in selector) {
    const wanted = new Set(selector.ids);
    return (id) => wanted.has(id);
  }
  const wanted = new Set(selector.addresses.map((a) => parseAddress(a) as string));
  return (_id, socket) => {
    const ip = plainIp(socket.remoteAddress ?? '');
    return wanted.has(ip) || wanted.has(`${ip}|${socket.remotePort}`);
  };
}

/** `ip` or `ip|port` (canonical) for an address a selector lists, or undefined when it is not one. */
function parseAddress(text: string): string | undefined {
  if (isIP(text)) return plainIp(text);
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text);
  const ip = match?.[1] ?? match?.[2] ?? '';
  const port = Number(match?.[3]);
  if (!isIP(ip) || (match?.[1] !== undefined && isIP(ip) !== 6) || port < 1 || port > 65535) return undefined;
  return `${plainIp(ip)}|${port}`;
}

/** An IPv4 client of a dual-stack listener shows as `::ffff:a.b.c.d`: it is matched as `a.b.c.d`. */
function plainIp(ip: string): string {
  return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip.toLowerCase();
}

function invalid(field: string, reason: string): FaultlineError {
  return new FaultlineError('ERR_INVALID_FIELD', `${field}: ${reason}`, { field });
}
