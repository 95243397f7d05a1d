/**
 * What a plain Toxiproxy 2.12 server has, one home for the server's `--toxiproxy-only` mode and the
 * harness's capability detection: its toxic types with their attribute names.
 */

/** The toxic types of Toxiproxy 2.12 and their attributes (any other type gets 400 `invalid toxic type`). */
export const TOXIPROXY_TOXICS: ReadonlyMap<string, readonly string[]> = new Map([
  ['latency', ['latency', 'jitter']],
  ['bandwidth', ['rate']],
  ['slow_close', ['delay']],
  ['timeout', ['timeout']],
  ['reset_peer', ['timeout']],
  ['slicer', ['average_size', 'size_variation', 'delay']],
  ['limit_data', ['bytes']],
  ['noop', []],
]);
