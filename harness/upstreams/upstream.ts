/**
 * The upstream contract: a real server the probes talk to through the proxy, which keeps a ledger
 * of every operation id it applied and how many times. "Data lost" is checked against it.
 * Also the two socket helpers every upstream uses (listen on host:port, count open sockets).
 */
import { once } from 'node:events';
import type { Server, Socket } from 'node:net';
import type { CallLedgerSnapshot } from '../mcp-schema.js';

/** id → number of times the upstream applied that write. */
export type Ledger = ReadonlyMap<string, number>;

/** A running demo upstream. */
export interface Upstream {
  readonly kind: 'tcp' | 'http' | 'mcp';
  /** Where probes reach it directly: `host:port`. */
  readonly address: string;
  /** Where a harness on another host reads the ledger (`GET /ledger`, see fetchLedger). */
  readonly ledgerUrl: string;
  /** What the upstream applied so far. */
  ledger(): Ledger;
  /** MCP only: pushes a notification to every connected client session; resolves with its number. */
  notify?(): Promise<number>;
  /** MCP only: the call ledger (long calls, notifications pushed). */
  calls?(): CallLedgerSnapshot;
  /** Open client sockets (for leak checks). */
  connections(): number;
  close(): Promise<void>;
}

/** Where an upstream listens; port 0 picks a free port. */
export interface ListenOptions {
  readonly host?: string;
  readonly port?: number;
}

/** The open sockets of a server, so an upstream can count them and close them all. */
export interface SocketTracker {
  count(): number;
  /** Destroys every open socket and resolves once all of them have closed. */
  destroyAll(): Promise<void>;
}

/** Tracks every socket `server` accepts until it closes. */
export function trackSockets(server: Server): SocketTracker {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return {
    count: () => sockets.size,
    destroyAll: async () => {
      const closing = [...sockets].map((socket) => {
        const closed = once(socket, 'close');
        socket.destroy();
        return closed;
      });
      await Promise.all(closing);
    },
  };
}

/** Listens on `host:port` and resolves with the bound `host:port` (the real port when 0 was asked). */
export async function listenOn(server: Server, { host = '127.0.0.1', port = 0 }: ListenOptions): Promise<string> {
  server.listen(port, host);
  await Promise.race([once(server, 'listening'), once(server, 'error').then(([err]) => Promise.reject(err))]);
  const bound = server.address();
  if (bound === null || typeof bound === 'string') throw new Error('server has no TCP address');
  return host.includes(':') ? `[${host}]:${bound.port}` : `${host}:${bound.port}`;
}

/** Stops `server` listening, destroys the sockets it still holds and resolves once all are closed. */
export async function closeServer(server: Server, sockets: SocketTracker): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  await sockets.destroyAll();
  await closed;
}
