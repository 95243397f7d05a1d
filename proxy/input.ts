/**
 * The fields of a proxy and of a toxic as every input types them: API bodies (api/body.ts, which
 * adds Toxiproxy's lenient decoding) and config files (config.ts, which adds strictness), so a
 * field means the same everywhere; the proxy input they make, and its required fields.
 */
import { z } from 'zod';
import { checkName, FaultlineError } from './errors.js';
import type { ToxicInput } from './toxic-set.js';

/** A toxic's attributes: an object of any values (each toxic type checks its own). */
export const attributes = z.record(z.string(), z.unknown());

/** The fields of a toxic, as every input of one types them. */
export const TOXIC_SHAPE = {
  name: z.string().optional(),
  type: z.string().optional(),
  stream: z.string().optional(),
  toxicity: z.number().optional(),
  attributes: attributes.optional(),
  /** faultline's client selector, validated by the toxic set (client-selector.ts), which names the field. */
  clients: z.unknown().optional(),
};

/** The fields of a proxy, as every input of one types them. */
export const PROXY_SHAPE = {
  name: z.string().optional(),
  listen: z.string().optional(),
  upstream: z.string().optional(),
  enabled: z.boolean().optional(),
};

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
