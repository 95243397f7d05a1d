/**
 * Request bodies read the way Toxiproxy's Go decoder reads them: only the first JSON value counts
 * (trailing bytes are ignored), an empty body is `EOF`, field names match case-insensitively,
 * unknown fields are ignored and `null` means "absent". The field shapes come from ../input.ts, which
 * the config file loader shares (it adds strictness: unknown fields there are errors).
 */
import { z } from 'zod';
import { FaultlineError } from '../errors.js';
import type { ProxyInput, ProxyPatch } from '../input.js';
import type { ToxicInput, ToxicPatch } from '../toxic-set.js';
import { PROXY_SHAPE, TOXIC_SHAPE, attributes } from '../input.js';
import { attributeNames } from '../toxics/catalog.js';

const PROXY_FIELDS = ['name', 'listen', 'upstream', 'enabled'] as const;
const TOXIC_FIELDS = ['name', 'type', 'stream', 'toxicity', 'attributes', 'clients'] as const;
const PATCH_FIELDS = ['toxicity', 'attributes', 'clients'] as const;

/** Parses the first JSON value of `body`; throws ERR_BAD_BODY with Toxiproxy's `bad request body:` prefix. */
export function decodeJson(body: Buffer | string | undefined): unknown {
  const text = typeof body === 'string' ? body : (body?.toString('utf8') ?? '');
  if (text.trim() === '') throw badBody('EOF');
  try {
    return JSON.parse(firstValue(text));
  } catch (err) {
    throw badBody((err as Error).message);
  }
}

/**
 * Keeps the fields of `value` that name one of `fields`, ignoring case (the last one wins), and
 * drops nulls (Go leaves a field at its default for null). A null value (a `null` populate entry)
 * counts as `{}`.
 */
export function foldFields(value: unknown, fields: readonly string[]): unknown {
  if (value === null) return {};
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    const name = fields.find((f) => f.toLowerCase() === key.toLowerCase());
    if (name !== undefined && field !== null) out[name] = field;
  }
  return out;
}

/** Renames attribute keys of a `type` toxic to their canonical case; unknown keys pass through. */
export function foldAttributes(type: unknown, attributes: unknown): unknown {
  const known = typeof type === 'string' ? attributeNames(type) : undefined;
  if (!known || !isPlainObject(attributes)) return attributes;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(attributes)) {
    out[known.find((k) => k.toLowerCase() === key.toLowerCase()) ?? key] = value;
  }
  return out;
}

/** A new toxic: `{name, type, stream, toxicity, attributes, clients}`, every field optional. */
export const toxicInputSchema: z.ZodType<ToxicInput> = z.preprocess(
  (value) => {
    const folded = foldFields(value, TOXIC_FIELDS);
    if (!isPlainObject(folded)) return folded;
    return { ...folded, attributes: foldAttributes(folded['type'], folded['attributes']) };
  },
  z.object(TOXIC_SHAPE),
);

/** The update schema of each toxic type met so far (a zod schema is costly to build and to compile on first use). */
const patchSchemas = new Map<string, z.ZodType<ToxicPatch>>();

/** A toxic update: only `toxicity`, `attributes` (names folded per toxic type) and `clients` are read. */
export function toxicPatchSchema(type: string): z.ZodType<ToxicPatch> {
  let schema = patchSchemas.get(type);
  if (schema === undefined) {
    schema = buildPatchSchema(type);
    patchSchemas.set(type, schema);
  }
  return schema;
}

function buildPatchSchema(type: string): z.ZodType<ToxicPatch> {
  return z.preprocess(
    (value) => {
      const folded = foldFields(value, PATCH_FIELDS);
      if (!isPlainObject(folded)) return folded;
      return { ...folded, attributes: foldAttributes(type, folded['attributes']) };
    },
    z.object({ toxicity: z.number().optional(), attributes: attributes.optional(), clients: z.unknown().optional() }),
  );
}

/** A new proxy, with optional `toxics` created before it listens (our extension of `POST /proxies`). */
export const proxyInputSchema: z.ZodType<ProxyInput> = z.preprocess(
  (value) => foldFields(value, [...PROXY_FIELDS, 'toxics']),
  z.object({ ...PROXY_SHAPE, toxics: z.array(toxicInputSchema).optional() }),
);

/** One entry of `POST /populate` or of a Toxiproxy config file: `toxics` is ignored, as Toxiproxy does. */
export const populateEntrySchema: z.ZodType<ProxyInput> = z.preprocess(
  (value) => foldFields(value, PROXY_FIELDS),
  z.object(PROXY_SHAPE),
);

/** The body of `POST /populate`: an array of proxies (an object is a decode error). */
export const populateSchema: z.ZodType<ProxyInput[]> = z.array(populateEntrySchema);

/** A proxy update: `listen`, `upstream`, `enabled`; `name` and `toxics` are ignored. */
export const proxyPatchSchema: z.ZodType<ProxyPatch> = z.preprocess(
  (value) => foldFields(value, ['listen', 'upstream', 'enabled']),
  z.object({ listen: PROXY_SHAPE.listen, upstream: PROXY_SHAPE.upstream, enabled: PROXY_SHAPE.enabled }),
);

/**
 * Decodes `body`, checks it is a JSON object (or, for `array`, a JSON array: `/populate`) and
 * validates it against `schema`; a mismatch is a 400 naming the field. (Go's decoder takes `null`
 * for an empty object; a body of `null` is more likely a client bug, so it is refused, saying so.)
 */
export function parseBody<T>(schema: z.ZodType<T>, body: Buffer | string | undefined, shape: 'object' | 'array' = 'object'): T {
  const value = decodeJson(body);
  if (shape === 'object' && !isPlainObject(value)) throw badBody(`expected a JSON object, got ${describeJson(value)}`);
  if (shape === 'array' && !Array.isArray(value)) throw badBody(`expected a JSON array of proxies, got ${describeJson(value)}`);
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join('.') ?? '';
  const message = `${field === '' ? '' : `${field}: `}${issue?.message ?? 'invalid'}`;
  throw new FaultlineError('ERR_BAD_BODY', `bad request body: ${message}`, field === '' ? {} : { field });
}

/** `null`, `an array`, `a string`, ... */
function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function badBody(detail: string): FaultlineError {
  return new FaultlineError('ERR_BAD_BODY', `bad request body: ${detail}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The text of the first JSON object or array in `text` (Go's decoder stops there); other values as they are. */
function firstValue(text: string): string {
  const start = text.search(/\S/);
  const open = text[start];
  if (open !== '{' && open !== '[') return text;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
    } else if (c === '{' || c === '[') {
      depth++;
    } else if ((c === '}' || c === ']') && --depth === 0) {
      return text.slice(start, i + 1);
    }
  }
  return text;
}
