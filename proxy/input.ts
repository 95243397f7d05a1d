/**
 * The fields of a proxy and of a toxic as every input types them: API bodies (api/body.ts, which
 * adds Toxiproxy's lenient decoding) and config files (config.ts, which adds strictness), so a
 * field means the same everywhere.
 */
import { z } from 'zod';

/** A toxic's attributes: an object of any values (each toxic type checks its own). */
export const attributes = z.record(z.string(), z.unknown());

/** The fields of a toxic, as every input of one types them. */
export const TOXIC_SHAPE = {
  name: z.string().optional(),
  type: z.string().optional(),
  stream: z.string().optional(),
  toxicity: z.number().optional(),
  attributes: attributes.optional(),
};

/** The fields of a proxy, as every input of one types them. */
export const PROXY_SHAPE = {
  name: z.string().optional(),
  listen: z.string().optional(),
  upstream: z.string().optional(),
  enabled: z.boolean().optional(),
};

