/**
 * A proxy's listening socket, bound apart from being taken into use: a change of address binds
 * the new one before the old one is given up, so a failed change leaves the proxy as it was.
 * Addresses are bound as Toxiproxy binds them (wildcards dual-stack, falling back to IPv4's where
 * there is no IPv6) and reported in Go's rendering.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { FaultlineError } from './errors.js';
import { joinHostPort, resolveListen, splitHostPort } from './listen-address.js';

/** A bound, listening server and its real address (`host:port`, as Go renders it). */
export interface Listener {
  readonly server: Server;
  readonly address: string;
}

/**
 * Binds `listen`; accepted clients go to `onClient` (paused, half-open allowed, no delay) and
 * accept failures after that (e.g. EMFILE) to `onError`. Throws ERR_LISTEN as Toxiproxy words it.
 */
export async function bindListener(
  listen: string,
  onClient: (client: Socket) => void,
  onError: (err: NodeJS.ErrnoException) => void,
): Promise<Listener> {
  const { host, port } = await resolveListen(listen);
  const server = createServer({ pauseOnConnect: true, allowHalfOpen: true, noDelay: true }, onClient);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const where = joinHostPort(host, port);
      reject(new FaultlineError('ERR_LISTEN', `listen tcp ${where}: ${describeListenError(err)}`, { cause: err }));
    });
    server.listen({ host: host === '' ? '::' : host, port, ipv6Only: false }, resolve);
  }).catch(async (err: FaultlineError) => {
    // A host without IPv6 cannot bind the dual-stack wildcard; fall back to IPv4's.
    const code = (err.cause as NodeJS.ErrnoException | undefined)?.code;
    if (host !== '' || (code !== 'EAFNOSUPPORT' && code !== 'EADDRNOTAVAIL')) throw err;
    await new Promise<void>((resolve, reject) => {
      server.removeAllListeners('error');
      server.once('error', reject);
      server.listen({ host: '0.0.0.0', port }, resolve);
    });
  });
  server.removeAllListeners('error');
  server.on('error', onError);
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('listener has no TCP address');
  return { server, address: joinHostPort(host === '' ? '::' : address.address, address.port) };
}

/** Stops accepting at once (the port is free again); resolves once every client it accepted has closed. */
export function closeListener(listener: Listener): Promise<void> {
  return new Promise((resolve) => listener.server.close(() => resolve()));
}

/** What bindOver needs of the proxy whose address a new listener may take. */
export interface Holder {
  readonly enabled: boolean;
  readonly listen: string;
  /** Stops accepting, keeping live connections. */
  suspend(): void;
  /** Accepts again where suspend() stopped. */
  reopen(): Promise<void>;
}

/**
 * Binds a new listener with `bind`, for `listen`, in place of `holder`'s. If the address is in use
 * by `holder`'s own listener (same port: `0.0.0.0:P` over `127.0.0.1:P`), that one stops accepting
 * for a retry and accepts again if the retry fails too; live connections stay throughout.
 */
export async function bindOver(holder: Holder, listen: string, bind: () => Promise<Listener>): Promise<Listener> {
  try {
    return await bind();
  } catch (err) {
    const inUse = err instanceof FaultlineError && (err.cause as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
    if (!holder.enabled || !inUse || splitHostPort(listen).port !== splitHostPort(holder.listen).port) throw err;
    holder.suspend();
    try {
      return await bind();
    } catch (again) {
      await holder.reopen();
      throw again;
    }
  }
}

function describeListenError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'EADDRINUSE':
      return 'bind: address already in use';
    case 'EADDRNOTAVAIL':
      return 'bind: cannot assign requested address';
    case 'EACCES':
      return 'bind: permission denied';
    default:
      return err.message;
  }
}
