/**
 * ToxicSet: the canonical toxics of one proxy, in insertion order, with Toxiproxy's rules: names
 * unique across both streams, default name `<type>_<stream>`, attributes always complete, partial
 * updates. Every change is validated whole before anything is stored, so a rejected request
 * leaves the set as it was.
 */
import { z } from 'zod';
import type { ClientSelector, ToxicJson } from '../protocol/wire.js';
import { clientMatcher, parseClientSelector, type ClientMatch, type ClientSocket } from './client-selector.js';
import { checkName, FaultlineError } from './errors.js';
import { attributeNames, toxicDefinition } from './toxics/catalog.js';
import type { ToxicDefinition } from './toxics/toxic.js';

/** The direction a toxic acts on: `upstream` is client → server, `downstream` server → client. */
export type Stream = 'upstream' | 'downstream';

/** A toxic as stored: validated, complete, immutable (an update makes a new object). */
export interface Toxic {
  readonly name: string;
  readonly type: string;
  readonly stream: Stream;
  readonly toxicity: number;
  readonly attributes: Readonly<Record<string, unknown>>;
  /** The connections it acts on (faultline's `clients`); undefined: every connection. */
  readonly clients: ClientSelector | undefined;
  /** The matcher of `clients`, built once. */
  readonly matchClient: ClientMatch | undefined;
  readonly definition: ToxicDefinition;
  /** State shared by all links of this toxic (see ToxicDefinition.createState); kept on update. */
  readonly state: object;
  /** Attribute names it was given that its type does not know (ignored, as Toxiproxy does), over its life. */
  readonly ignored: readonly string[];
}

/** A toxic as a client asks for it (fields may be missing; they get Toxiproxy's defaults). */
export interface ToxicInput {
  name?: string | null | undefined;
  type?: string | null | undefined;
  stream?: string | null | undefined;
  toxicity?: number | null | undefined;
  attributes?: Record<string, unknown> | null | undefined;
  /** A client selector (see client-selector.ts), validated here. */
  clients?: unknown;
}

/** A change to an existing toxic: attributes (merged onto the old ones), toxicity, and `clients` (replaced; `{}` clears it). */
export interface ToxicPatch {
  toxicity?: number | null | undefined;
  attributes?: Record<string, unknown> | null | undefined;
  clients?: unknown;
}

const toxicity = z.number({ error: 'must be a number between 0 and 1' }).min(0, { error: 'must be >= 0' }).max(1, {
  error: 'must be <= 1',
});

/** Whether `toxic` acts on connection `id` from `socket`, as far as its client selector says (always, without one). */
export function picks(toxic: Toxic, id: number, socket: ClientSocket): boolean {
  return toxic.matchClient === undefined || toxic.matchClient(id, socket);
}

/** The wire shape of a toxic, attributes first (Toxiproxy's field order). */
export function toxicToJson(toxic: Toxic): ToxicJson {
  const json: ToxicJson = {
    attributes: { ...toxic.attributes },
    name: toxic.name,
    type: toxic.type,
    stream: toxic.stream,
    toxicity: toxic.toxicity,
  };
  if (toxic.clients) json.clients = toxic.clients;
  return json;
}

/**
 * Validates a new toxic, in Toxiproxy's order: stream, type, name taken (`taken`), attributes.
 * Unknown attribute names are kept in `ignored`, or rejected when `strict`. Throws FaultlineError
 * naming the field.
 */
export function buildToxic(input: ToxicInput, taken: (name: string) => boolean, strict: boolean): Toxic {
  const stream = parseStream(input.stream);
  const type = input.type ?? '';
  const definition = toxicDefinition(type);
  if (!definition) {
    throw new FaultlineError('ERR_INVALID_TOXIC_TYPE', `invalid toxic type: ${JSON.stringify(type)}`, { field: 'type' });
  }
  const name = input.name ? input.name : `${type}_${stream}`;
  checkName(name, 'name');
  if (taken(name)) throw new FaultlineError('ERR_TOXIC_EXISTS', 'toxic already exists', { field: 'name' });
  const attributes = parseAttributes(definition, {}, input.attributes);
  const clients = parseClientSelector(input.clients);
  return {
    name,
    type,
    stream,
    toxicity: parseToxicity(input.toxicity, 1),
    attributes,
    clients,
    matchClient: clients && clientMatcher(clients),
    definition,
    state: definition.createState?.() ?? {},
    ignored: unknownAttributes(definition, input.attributes, strict),
  };
}

/** Applies a patch to a toxic: attributes merge onto the old ones; a bad value changes nothing. */
export function patchToxic(toxic: Toxic, patch: ToxicPatch, strict: boolean): Toxic {
  const attributes = parseAttributes(toxic.definition, toxic.attributes, patch.attributes);
  const unknown = unknownAttributes(toxic.definition, patch.attributes, strict);
  const clients = patch.clients === undefined || patch.clients === null ? toxic.clients : parseClientSelector(patch.clients);
  return {
    ...toxic,
    toxicity: parseToxicity(patch.toxicity, toxic.toxicity),
    attributes,
    clients,
    matchClient: clients === toxic.clients ? toxic.matchClient : clients && clientMatcher(clients),
    ignored: [...toxic.ignored, ...unknown.filter((name) => !toxic.ignored.includes(name))],
  };
}

/** The names in `given` that `definition` has no attribute for; with `strict`, the first one is an error. */
function unknownAttributes(definition: ToxicDefinition, given: ToxicInput['attributes'], strict: boolean): string[] {
  const known = attributeNames(definition.type) ?? [];
  const unknown = Object.entries(given ?? {})
    .filter(([key, value]) => value !== null && !known.includes(key))
    .map(([key]) => key);
  const [first] = unknown;
  if (strict && first !== undefined) {
    const has = known.length === 0 ? 'none' : known.join(', ');
    throw new FaultlineError('ERR_INVALID_ATTRIBUTE', `attributes.${first}: unknown attribute of toxic type ${definition.type} (it has: ${has})`, {
      field: `attributes.${first}`,
    });
  }
  return unknown;
}

function parseStream(stream: string | null | undefined): Stream {
  if (stream === undefined || stream === null) return 'downstream';
  const lower = typeof stream === 'string' ? stream.toLowerCase() : '';
  if (lower === 'upstream' || lower === 'downstream') return lower;
  throw new FaultlineError('ERR_INVALID_STREAM', 'stream was invalid, can be either upstream or downstream', {
    field: 'stream',
  });
}

function parseToxicity(value: number | null | undefined, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  const parsed = toxicity.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new FaultlineError('ERR_INVALID_FIELD', `toxicity: ${parsed.error.issues[0]?.message}`, { field: 'toxicity' });
}

function parseAttributes(
  definition: ToxicDefinition,
  base: Readonly<Record<string, unknown>>,
  given: Record<string, unknown> | null | undefined,
): Record<string, unknown> {
  if (given !== undefined && given !== null && (typeof given !== 'object' || Array.isArray(given))) {
    throw new FaultlineError('ERR_INVALID_ATTRIBUTE', 'attributes: must be an object', { field: 'attributes' });
  }
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(given ?? {})) if (value !== null) merged[key] = value;
  const parsed = definition.attributes.safeParse(merged);
  if (parsed.success) return parsed.data as Record<string, unknown>;
  const issue = parsed.error.issues[0];
  const field = ['attributes', ...(issue?.path ?? [])].join('.');
  throw new FaultlineError('ERR_INVALID_ATTRIBUTE', `${field}: ${issue?.message} for toxic type ${definition.type}`, {
    field,
  });
}

/**
 * The toxics of one proxy. Views are rebuilt on change, so a new connection reads them without
 * allocating. With `strict`, unknown attribute names are errors instead of being ignored.
 */
export class ToxicSet {
  #strict: boolean;
  #toxics: Toxic[] = [];
  #upstream: readonly Toxic[] = [];
  #downstream: readonly Toxic[] = [];
  #cutOnAccept: readonly Toxic[] = [];

  constructor(strict = false) {
    this.#strict = strict;
  }

  /** Upstream toxics in insertion order, then downstream ones (Toxiproxy's listing order). */
  list(): Toxic[] {
    return [...this.#upstream, ...this.#downstream];
  }

  /** The toxics acting on `stream`, in insertion order. */
  forStream(stream: Stream): readonly Toxic[] {
    return stream === 'upstream' ? this.#upstream : this.#downstream;
  }

  /** The toxics that cut a new connection right after accept (see ToxicDefinition.cutOnAccept). */
  get cutOnAccept(): readonly Toxic[] {
    return this.#cutOnAccept;
  }

  #changed(): void {
    this.#upstream = this.#toxics.filter((t) => t.stream === 'upstream');
    this.#downstream = this.#toxics.filter((t) => t.stream === 'downstream');
    this.#cutOnAccept = this.#toxics.filter((t) => t.definition.cutOnAccept);
  }

  get(name: string): Toxic {
    const toxic = this.#toxics.find((t) => t.name === name);
    if (!toxic) throw new FaultlineError('ERR_TOXIC_NOT_FOUND', 'toxic not found');
    return toxic;
  }

  /** Validates and stores a new toxic. */
  add(input: ToxicInput): Toxic {
    const toxic = buildToxic(input, (name) => this.#toxics.some((t) => t.name === name), this.#strict);
    this.#toxics.push(toxic);
    this.#changed();
    return toxic;
  }

  /** Validates and applies a patch; returns the new toxic. */
  update(name: string, patch: ToxicPatch): Toxic {
    const index = this.#toxics.findIndex((t) => t.name === name);
    if (index < 0) throw new FaultlineError('ERR_TOXIC_NOT_FOUND', 'toxic not found');
    const toxic = patchToxic(this.#toxics[index] as Toxic, patch, this.#strict);
    this.#toxics[index] = toxic;
    this.#changed();
    return toxic;
  }

  /** Removes a toxic and returns it. */
  remove(name: string): Toxic {
    const index = this.#toxics.findIndex((t) => t.name === name);
    if (index < 0) throw new FaultlineError('ERR_TOXIC_NOT_FOUND', 'toxic not found');
    const [removed] = this.#toxics.splice(index, 1) as [Toxic];
    this.#changed();
    return removed;
  }
}
