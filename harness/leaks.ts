/**
 * Leak measurement after a scenario: what its probes and its proxies still hold once the probes
 * have closed. The probes' own sockets are counted one by one (every socket a probe opens is
 * watched until it closes), and a faultline server is asked for the live connections of the
 * scenario's proxies. This process's open file descriptors and TCP handles are recorded too, for
 * reading, but do not decide: they also count the harness's own connections to the control API and
 * the ledger, which come and go with HTTP keep-alive.
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

/** What was left behind, and whether anything was. */
export interface LeakReport {
  before: Resources;
  after: Resources;
  /** Sockets the scenario's probes opened that are still open. */
  probe_sockets: number;
  /** Live connections the server still holds on the scenario's proxies (null: the server cannot say, e.g. Toxiproxy). */
  proxy_connections: number | null;
  leaked: boolean;
}

/** Where to look for leftovers. */
export interface LeakSources {
  probeSockets(): number;
  proxyConnections(): Promise<number | null>;
}

/** Waits (up to `settleMs`) for the probes' sockets and the proxies' connections to be gone, then reports. */
export async function leakCheck(before: Resources, sources: LeakSources, settleMs = 2000): Promise<LeakReport> {
  const deadline = performance.now() + settleMs;
  for (;;) {
    const probe = sources.probeSockets();
    const proxy = await sources.proxyConnections().catch(() => null);
    const leaked = probe > 0 || (proxy ?? 0) > 0;
    if (!leaked || performance.now() >= deadline) {
      return { before, after: resources(), probe_sockets: probe, proxy_connections: proxy, leaked };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
