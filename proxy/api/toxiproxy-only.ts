/**
 * A server started `--toxiproxy-only` reads toxics as Toxiproxy 2.12 does: a type Toxiproxy lacks
 * (faultline's drop, blackhole, flaky, cut_after) is its 400 `invalid toxic type`, checked after
 * the stream as Go checks it, and what only faultline reads (latency's `distribution`, a toxic's
 * `clients`) is dropped unread, as Toxiproxy drops any field or attribute it does not know. Other
 * unknown attributes go on to the registry, which ignores them (or, with --strict, refuses them) as
 * usual.
 */
import { FaultlineError } from '../errors.js';
import { parseStream, type ToxicInput, type ToxicPatch } from '../toxic-set.js';
import { attributeNames } from '../toxics/catalog.js';
import { TOXIPROXY_TOXICS } from '../../protocol/toxiproxy.js';

/** A new toxic as Toxiproxy reads it; throws Toxiproxy's `invalid toxic type` for a type it lacks. */
export function toxiproxyToxic(input: ToxicInput): ToxicInput {
  const type = input.type ?? '';
  if (!TOXIPROXY_TOXICS.has(type)) {
    parseStream(input.stream);
    throw new FaultlineError('ERR_INVALID_TOXIC_TYPE', 'invalid toxic type', { field: 'type' });
  }
  const { clients: _clients, ...fields } = input;
  return { ...fields, attributes: withoutFaultlineAttributes(type, input.attributes) };
}

/** A toxic update as Toxiproxy reads it (`clients` and faultline-only attributes dropped). */
export function toxiproxyPatch(type: string, patch: ToxicPatch): ToxicPatch {
  const { clients: _clients, ...fields } = patch;
  return { ...fields, attributes: withoutFaultlineAttributes(type, patch.attributes) };
}

/** `attributes` without the ones faultline's `type` has and Toxiproxy's does not. */
function withoutFaultlineAttributes(type: string, attributes: ToxicInput['attributes']): ToxicInput['attributes'] {
  if (attributes === null || attributes === undefined) return attributes;
  const toxiproxy = TOXIPROXY_TOXICS.get(type) ?? [];
  const faultlineOnly = (attributeNames(type) ?? []).filter((name) => !toxiproxy.includes(name));
  return Object.fromEntries(Object.entries(attributes).filter(([key]) => !faultlineOnly.includes(key)));
}
