/** Every toxic type faultline knows, by wire name; and the attribute schemas scenario steps share. */
import { bandwidth } from './bandwidth.js';
import { blackhole } from './blackhole.js';
import { cutAfter } from './cut-after.js';
import { drop } from './drop.js';
import { flaky } from './flaky.js';
import { httpDelayHeaders } from './http-delay-headers.js';
import { httpStatus } from './http-status.js';
import { kill } from './kill.js';
export { flakyAttributes } from './flaky.js';
import { latency } from './latency.js';
export { latencyAttributes } from './latency.js';
import { limitData } from './limit-data.js';
import { noop } from './noop.js';
import { partialLine } from './partial-line.js';
import { resetPeer } from './reset-peer.js';
import { slicer } from './slicer.js';
import { slowClose } from './slow-close.js';
import { sseTruncate } from './sse-truncate.js';
import { stall } from './stall.js';
import { timeout } from './timeout.js';
import { z } from 'zod';
import type { ToxicDefinition } from './toxic.js';

const definitions: readonly ToxicDefinition[] = [
  latency,
  bandwidth,
  slowClose,
  timeout,
  resetPeer,
  slicer,
  limitData,
  noop,
  drop,
  blackhole,
  flaky,
  cutAfter,
  httpStatus,
  httpDelayHeaders,
  sseTruncate,
  partialLine,
  kill,
];

const byType = new Map(definitions.map((d) => [d.type, d]));

/** The definition of toxic type `type`, or undefined when there is none. */
export function toxicDefinition(type: string): ToxicDefinition | undefined {
  return byType.get(type);
}

/**
 * The definitions the stdio relay uses in place of the catalog's, by type: a `blackhole` over a
 * pipe holds bytes instead of discarding them (stall.ts), so a JSON-RPC stream keeps its framing.
 */
export const STDIO_DEFINITIONS: ReadonlyMap<string, ToxicDefinition> = new Map([['blackhole', stall as ToxicDefinition]]);

/** All toxic types, in the order the README lists them. */
export function toxicDefinitions(): readonly ToxicDefinition[] {
  return definitions;
}

/** The attribute names of toxic type `type` (undefined for an unknown type). */
export function attributeNames(type: string): string[] | undefined {
  const schema = byType.get(type)?.attributes;
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : undefined;
}
