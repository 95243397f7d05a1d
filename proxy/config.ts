/**
 * The `--config` file: a JSON array in the /populate format where each proxy may also carry the
 * toxics to create with it (Toxiproxy silently ignores those: issues #447, #281). Everything is
 * validated before anything is created; an error names the file, the entry and the field.
 * Unlike the API (which ignores unknown fields, as Toxiproxy does), a config file with an unknown
 * field is rejected: a typo there would otherwise be silently lost.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { PROXY_SHAPE, TOXIC_SHAPE } from './input.js';
import { FaultlineError, nestError } from './errors.js';
import type { ProxyInput } from './input.js';
import type { Registry } from './registry.js';
import { ToxicSet } from './toxic-set.js';
import { attributeNames } from './toxics/catalog.js';
import { TOXIPROXY_TOXICS } from '../protocol/toxiproxy.js';

const proxyEntry = z
  .object({
    ...PROXY_SHAPE,
    name: z.string({ error: 'must be a non-empty string' }).min(1, { error: 'must be a non-empty string' }),
    upstream: z.string({ error: 'must be a host:port string' }).min(1, { error: 'must be a host:port string' }),
    toxics: z.array(z.object({ ...TOXIC_SHAPE, type: z.string({ error: 'must be a toxic type name' }) }).strict()).optional(),
  })
  .strict();

/**
 * Reads and validates a config file into populate entries; throws ERR_CONFIG naming file, entry and
 * field. With `toxiproxyOnly` (a server started `--toxiproxy-only`), only Toxiproxy's toxic types,
 * fields and attributes are allowed.
 */
export async function readConfig(file: string, toxiproxyOnly = false): Promise<ProxyInput[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw configError(file, `cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw configError(file, `not valid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(data)) throw configError(file, 'must be a JSON array of proxies (the /populate format)');
  const names = new Set<string>();
  return data.map((raw, i) => {
    const where = `proxy ${i + 1}${typeof (raw as { name?: unknown })?.name === 'string' ? ` ("${(raw as { name: string }).name}")` : ''}`;
    const parsed = proxyEntry.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join('.') || '(entry)';
      throw configError(file, `${where}: ${field}: ${issue?.message}`);
    }
    const entry = parsed.data;
    if (names.has(entry.name)) throw configError(file, `${where}: name: "${entry.name}" appears twice`);
    names.add(entry.name);
    const trial = new ToxicSet();
    (entry.toxics ?? []).forEach((toxic, j) => {
      if (toxiproxyOnly && !TOXIPROXY_TOXICS.has(toxic.type)) {
        throw configError(file, `${where}: toxics[${j}].type: ${JSON.stringify(toxic.type)} is not a Toxiproxy toxic type (the server runs --toxiproxy-only)`);
      }
      if (toxiproxyOnly && toxic.clients !== undefined) {
        throw configError(file, `${where}: toxics[${j}].clients: a faultline field (the server runs --toxiproxy-only)`);
      }
      const unknown = unknownAttributes(toxic.type, toxic.attributes ?? {}, toxiproxyOnly);
      if (unknown) throw configError(file, `${where}: toxics[${j}].attributes.${unknown}: unknown attribute of ${toxic.type}`);
      try {
        trial.add(toxic);
      } catch (err) {
        if (!(err instanceof FaultlineError)) throw err;
        throw configError(file, `${where}: ${nestError(err, `toxics[${j}]`).message}`);
      }
    });
    return entry;
  });
}

/** Loads a config file into `registry` (see readConfig for `toxiproxyOnly`); returns how many proxies were created. */
export async function loadConfig(file: string, registry: Registry, toxiproxyOnly = false): Promise<number> {
  const entries = await readConfig(file, toxiproxyOnly);
  const result = await registry.populate(entries);
  if (result.error) throw configError(file, `proxy "${entries[result.proxies.length]?.name}": ${result.error.message}`);
  return result.proxies.length;
}

function unknownAttributes(type: string, attributes: Record<string, unknown>, toxiproxyOnly: boolean): string | undefined {
  const known = toxiproxyOnly ? TOXIPROXY_TOXICS.get(type) : attributeNames(type);
  return known && Object.keys(attributes).find((key) => !known.includes(key));
}

function configError(file: string, message: string): FaultlineError {
  return new FaultlineError('ERR_CONFIG', `${file}: ${message}`);
}
