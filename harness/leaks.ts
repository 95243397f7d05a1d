/**
 * Leak measurement: open file descriptors and live TCP handles of this process, before and after
 * a scenario. The demo runs the proxy and the upstreams in this process too, so their sockets count.
 */
import { readdirSync } from 'node:fs';

/** What this process holds open right now. */
export interface Resources {
  /** Open file descriptors (/proc/self/fd), or null where /proc is missing. */
  fds: number | null;
  /** Live TCP sockets (client and accepted). */
  sockets: number;
}

/** Counts what this process holds open. */
export function resources(): Resources {
  let fds: number | null;
  try {
    fds = readdirSync('/proc/self/fd').length;
  } catch {
    fds = null;
  }
  const sockets = process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
  return { fds, sockets };
}

/** Resources before and after, and whether anything was left behind. */
export interface LeakReport {
  before: Resources;
  after: Resources;
  leaked: boolean;
}

/** Waits (up to `settleMs`) for resources to fall back to `before`, then reports. */
export async function leakCheck(before: Resources, settleMs = 2000): Promise<LeakReport> {
  const deadline = performance.now() + settleMs;
  let after = resources();
  while (performance.now() < deadline && (after.sockets > before.sockets || (after.fds ?? 0) > (before.fds ?? 0))) {
    await new Promise((r) => setTimeout(r, 50));
    after = resources();
  }
  const leaked = after.sockets > before.sockets || (after.fds !== null && before.fds !== null && after.fds > before.fds);
  return { before, after, leaked };
}
