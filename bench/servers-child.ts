/**
 * Child process holding the upstream servers on 127.0.0.1: an echo server (RTT, churn, idle
 * connections) and a sink that counts what it receives and, on the client's FIN, answers with
 * the count and closes (throughput ends when the sink has everything).
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { serve } from './child-rpc.js';

/** Ports of the upstream servers. */
export interface Targets {
  echo: number;
  sink: number;
}

async function listen(server: Server): Promise<number> {
  server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 });
  await once(server, 'listening');
  return (server.address() as { port: number }).port;
}

const echo = createServer({ noDelay: true }, (socket) => {
  socket.on('error', () => undefined);
  socket.pipe(socket);
});

const sink = createServer({ noDelay: true, allowHalfOpen: true }, (socket) => {
  let received = 0;
  socket.on('error', () => undefined);
  socket.on('data', (data: Buffer) => {
    received += data.length;
  });
  socket.on('end', () => socket.end(String(received)));
});

serve({
  start: async (): Promise<Targets> => ({ echo: await listen(echo), sink: await listen(sink) }),
});
