/**
 * The partition recipe, shared by `faultline partition` / `heal` and the harness: which toxics
 * make each kind of partition, under which names, so a heal removes exactly those. `refuse` is not
 * a toxic: the proxy is disabled (its listener closes) until the heal enables it again.
 */
import type { ClientSelector, CutMode, ToxicBody } from './wire.js';

/** The kinds of partition. */
export const PARTITION_MODES = ['drop', 'blackhole', 'refuse'] as const;

/** A kind of partition: `drop` (cut everything), `blackhole` (silence both ways), `refuse` (stop listening). */
export type PartitionMode = (typeof PARTITION_MODES)[number];

/** The names of the toxics a partition adds (what `heal` removes). */
export const PARTITION_TOXICS = ['faultline_partition', 'faultline_partition_up', 'faultline_partition_down'] as const;

const [DROP, UP, DOWN] = PARTITION_TOXICS;

/**
 * The toxics of a `drop` or `blackhole` partition, of the connections `clients` picks (all when
 * undefined). With `faultline` false (a plain Toxiproxy), a black hole is made of Toxiproxy's
 * `timeout` 0 on both streams; a drop, and a partition of some clients, have no equivalent there.
 */
export function partitionToxics(mode: 'drop' | 'blackhole', cut: CutMode, faultline = true, clients?: ClientSelector): ToxicBody[] {
  if (!faultline && clients) throw new Error('a partition of some clients needs a faultline server (Toxiproxy ignores "clients")');
  const scope = clients ? { clients } : {};
  if (mode === 'drop') {
    if (!faultline) throw new Error('partition mode "drop" needs a faultline server (Toxiproxy has no drop toxic)');
    return [{ name: DROP, type: 'drop', stream: 'downstream', toxicity: 1, attributes: { mode: cut }, ...scope }];
  }
  const [type, attributes] = faultline ? ['blackhole', {}] : ['timeout', { timeout: 0 }];
  return [
    { name: UP, type, stream: 'upstream', toxicity: 1, attributes, ...scope },
    { name: DOWN, type, stream: 'downstream', toxicity: 1, attributes, ...scope },
  ];
}
