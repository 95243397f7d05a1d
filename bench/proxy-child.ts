/**
 * Child process running one proxy under test, alone, so its memory is its own and it does not
 * share an event loop with the load generator. `process.argv[2]` is the kind:
 *
 *   pipe            bare Node proxy: accept paused, dial, `client.pipe(upstream); upstream.pipe(client)`
 *   faultline       a faultline server as `faultline server` runs it (control API, metrics and an
 *                   info-level logger subscribed to its events), one proxy per upstream, no toxics
 *   faultline-tox0  the same with a toxicity-0 latency toxic on each link
 *
 * Run with --expose-gc: `memory` collects garbage before it reads process.memoryUsage().
 */
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { setImmediate as tick } from 'node:timers/promises';
import { pino } from 'pino';
import { logEvents } from '../proxy/log.js';
import { startServer } from '../proxy/api/server.js';
import { serve } from './child-rpc.js';
import type { Targets } from './servers-child.js';

/** The proxies the benchmark can launch. */
export type ProxyKind = 'pipe' | 'faultline' | 'faultline-tox0';

const kind = process.argv[2] as ProxyKind;
let liveConnections: () => Promise<number> = async () => 0;

function pipeProxy(upstreamPort: number): Server {
  return createServer({ pauseOnConnect: true, allowHalfOpen: true, noDelay: true }, (client: Socket) => {
    const upstream = connect({ host: '127.0.0.1', port: upstreamPort, allowHalfOpen: true, noDelay: true });
    client.setNoDelay(true);
    const destroy = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', destroy);
    upstream.on('error', destroy);
    upstream.once('connect', () => {
      client.pipe(upstream);
      upstream.pipe(client);
    });
  });
}

async function startPipe(targets: Targets): Promise<Targets> {
  const servers = [pipeProxy(targets.echo), pipeProxy(targets.sink)];
  const ports: number[] = [];
  for (const server of servers) {
    server.listen({ host: '127.0.0.1', port: 0 });
    await once(server, 'listening');
    ports.push((server.address() as { port: number }).port);
  }
  const count = (server: Server): Promise<number> =>
    new Promise((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
  liveConnections = async () => (await Promise.all(servers.map(count))).reduce((a, b) => a + b, 0);
  return { echo: ports[0] as number, sink: ports[1] as number };
}

async function startFaultline(targets: Targets, withToxics: boolean): Promise<Targets> {
  const { registry } = await startServer({ port: 0, seed: 'bench' });
  // The server command's logger, writing nowhere: what it costs is its subscription.
  logEvents(registry.events, pino({ level: 'info' }, { write: () => undefined }));
  const ports: number[] = [];
  for (const [name, port] of Object.entries(targets)) {
    const proxy = await registry.create({ name, listen: '127.0.0.1:0', upstream: `127.0.0.1:${port}` });
    if (withToxics) {
      for (const stream of ['upstream', 'downstream']) {
        proxy.addToxic({ type: 'latency', stream, toxicity: 0, attributes: { latency: 100 } });
      }
    }
    ports.push(Number(proxy.listen.slice(proxy.listen.lastIndexOf(':') + 1)));
  }
  liveConnections = async () => registry.list().reduce((n, proxy) => n + proxy.connections.length, 0);
  return { echo: ports[0] as number, sink: ports[1] as number };
}

async function memory(): Promise<NodeJS.MemoryUsage> {
  if (!gc) throw new Error('proxy child needs --expose-gc');
  for (let i = 0; i < 4; i++) {
    gc();
    await tick();
  }
  return process.memoryUsage();
}

serve({
  start: (targets: Targets) => (kind === 'pipe' ? startPipe(targets) : startFaultline(targets, kind === 'faultline-tox0')),
  memory,
  connections: () => liveConnections(),
  cpu: () => {
    const { user, system } = process.cpuUsage();
    return user + system;
  },
});
