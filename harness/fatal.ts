/**
 * Probes that cannot go on: an external client that exited, broke the protocol or never answered
 * says so through `Probe.fatal()`, and the runner stops the scenario (every path) with the reason.
 */
import type { Probe } from './probes/probe.js';

/** Why one of the paths' probes cannot go on, if one cannot. */
export function fatalOf(paths: Readonly<Record<string, { readonly probe: Probe }>>): string | undefined {
  for (const { probe } of Object.values(paths)) {
    const reason = probe.fatal?.();
    if (reason !== undefined) return reason;
  }
  return undefined;
}

/** Throws the reason once any of the paths' probes cannot go on (this stops every path's loop). */
export function stopIfFatal(paths: Readonly<Record<string, { readonly probe: Probe }>>): void {
  const reason = fatalOf(paths);
  if (reason !== undefined) throw new Error(reason);
}
