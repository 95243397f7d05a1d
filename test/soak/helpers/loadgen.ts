/**
 * The soak load generator: a process of its own (loadgen-child.ts, run through tap's TypeScript
 * loader) with upstream servers and clients, driven over IPC, killed at teardown. Its sockets and
 * CPU are not the proxy's, so what the proxy process measures is the proxy's.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Teardown } from '../../helpers/net.js';
import { rpc } from './rpc.js';

const CHILD = fileURLToPath(new URL('./loadgen-child.ts', import.meta.url));
const TS_IMPORT = pathToFileURL(fileURLToPath(new URL('../../../node_modules/@tapjs/typescript/dist/esm/import.mjs', import.meta.url))).href;

/** Totals of what the generator sent, received and checked. */
export interface LoadStats {
  /** The checking echo upstream: connections accepted, bytes received, connections whose sequence broke. */
  upstream: { connections: number; bytes: number; errors: number };
  /**
   * The paced streamers: connections made, refusals, connections closed under them, bytes written,
   * bytes echoed back (all checked), writes skipped because the socket was backed up, broken echoes.
   */
  stream: { connects: number; refused: number; closed: number; sent: number; echoed: number; deferred: number; errors: number };
  /** Open/close cycles: connected, and how each ended. */
  cycles: CycleStats;
  /** The first sequence errors, described. */
  samples: string[];
  /** Sockets open in the generator now. */
  sockets: number;
}

/** How open/close cycles ended: echoed (16 bytes back, checked), refused, cut, timed out, bad (wrong bytes); FIN or RST closes. */
export interface CycleStats {
  connected: number;
  echoed: number;
  refused: number;
  cut: number;
  timedOut: number;
  bad: number;
  fin: number;
  rst: number;
}

/** Operations of the generator. */
export interface LoadGen {
  readonly pid: number;
  /** An upstream that checks each connection's sequence and echoes it; resolves with its port. */
  echo(): Promise<number>;
  /** An upstream that discards what it reads; resolves with its port. */
  sink(): Promise<number>;
  /** Starts `count` paced, reconnecting, echo-checking clients of `port` (`rate` bytes/s each). */
  stream(port: number, count: number, rate: number, periodMs?: number): Promise<void>;
  /** Stops the streamers (after `drainMs` for echoes in flight) and reports. */
  streamStop(drainMs: number): Promise<LoadStats>;
  /** Open/close cycles against `port` until `total` connected. */
  cycles(port: number, total: number, options?: { concurrency?: number; timeoutMs?: number; deadlineMs?: number }): Promise<CycleStats>;
  /** Opens `count` idle connections to `port`. */
  idle(port: number, count: number, concurrency?: number): Promise<{ open: number; failed: number }>;
  /** Starts `count` clients of `port` writing as fast as they can. */
  fast(port: number, count: number): Promise<void>;
  /** Stops the fast clients; bytes they wrote and times they reconnected. */
  fastStop(): Promise<{ written: number; reconnects: number }>;
  stats(): Promise<LoadStats>;
  /** Destroys every socket and server of the generator. */
  closeAll(): Promise<void>;
}

/** Starts a load generator process, killed at teardown. */
export async function loadGen(t: Teardown): Promise<LoadGen> {
  const env: NodeJS.ProcessEnv = { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' };
  delete env['NODE_OPTIONS'];
  const child = spawn(process.execPath, [`--import=${TS_IMPORT}`, CHILD], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = once(child, 'exit');
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  const [ready] = (await Promise.race([once(child, 'message'), exited.then(() => [{}])])) as [{ ready?: boolean }];
  if (ready.ready !== true) throw new Error('the load generator exited before it was ready');
  const call = rpc(child);
  return {
    pid: child.pid as number,
    echo: () => call<number>('echo'),
    sink: () => call<number>('sink'),
    stream: (port, count, rate, periodMs = 100) => call<void>('stream', { port, count, rate, periodMs }),
    streamStop: (drainMs) => call<LoadStats>('streamStop', { drainMs }),
    cycles: (port, total, options = {}) =>
      call<CycleStats>('cycles', {
        port,
        total,
        concurrency: options.concurrency ?? 32,
        timeoutMs: options.timeoutMs ?? 2000,
        deadlineMs: options.deadlineMs ?? 600_000,
      }),
    idle: (port, count, concurrency = 64) => call<{ open: number; failed: number }>('idle', { port, count, concurrency }),
    fast: (port, count) => call<void>('fast', { port, count }),
    fastStop: () => call<{ written: number; reconnects: number }>('fastStop'),
    stats: () => call<LoadStats>('stats'),
    closeAll: () => call<void>('closeAll'),
  };
}
