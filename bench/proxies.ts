/** Launchers for the benchmark's child processes: the upstream servers and each proxy under test. */
import { forkChild, type Child } from './child-rpc.js';
import type { ProxyKind } from './proxy-child.js';
import type { Targets } from './servers-child.js';

export type { ProxyKind } from './proxy-child.js';
export type { Targets } from './servers-child.js';

/** A running child that listens on an echo port and a sink port. */
export interface Endpoint extends Targets {
  readonly pid: number;
  close(): Promise<void>;
}

/** A proxy under test, in its own process. */
export interface ProxyHandle extends Endpoint {
  readonly kind: ProxyKind;
  /** process.memoryUsage() of the proxy process after forced garbage collection. */
  memory(): Promise<NodeJS.MemoryUsage>;
  /** Connections the proxy holds right now. */
  connections(): Promise<number>;
  /** CPU time (user + system) the proxy process has used so far, in µs. */
  cpu(): Promise<number>;
}

/** Starts the echo and sink servers in their own process. */
export async function startServers(): Promise<Endpoint> {
  const child = forkChild(new URL('./servers-child.js', import.meta.url), [], []);
  const ports = await child.call<Targets>('start');
  return { ...ports, pid: child.pid, close: () => child.close() };
}

/** Starts a proxy of `kind` in its own process, forwarding to `targets`. `execArgv` adds Node flags (e.g. --cpu-prof). */
export async function startProxy(kind: ProxyKind, targets: Targets, execArgv: string[] = []): Promise<ProxyHandle> {
  const child: Child = forkChild(new URL('./proxy-child.js', import.meta.url), [kind], ['--expose-gc', ...execArgv]);
  const ports = await child.call<Targets>('start', targets);
  return {
    ...ports,
    kind,
    pid: child.pid,
    memory: () => child.call<NodeJS.MemoryUsage>('memory'),
    connections: () => child.call<number>('connections'),
    cpu: () => child.call<number>('cpu'),
    close: () => child.close(),
  };
}
