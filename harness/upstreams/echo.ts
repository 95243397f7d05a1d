/**
 * The tcp upstream: speaks the framed protocol of frame.ts. Every intact write is applied to the
 * ledger and acknowledged with the new count; a read is answered with the stored payload; a
 * corrupt frame gets an error frame and is not applied. A client's FIN is answered with a FIN
 * once every frame before it is answered. The ledger is served on a second, small HTTP port.
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Socket } from 'node:net';
import { createFrameDecoder, encodeFrame, type Decoded, type Frame } from '../frame.js';
import { createLedgerStore, sendJson, serveLedger, type LedgerStore } from './ledger.js';
import { closeServer, listenOn, trackSockets, type ListenOptions, type Upstream } from './upstream.js';

/** Where the echo upstream listens: `port` for frames, `ledgerPort` for `GET /ledger` (both may be 0). */
export interface EchoUpstreamOptions extends ListenOptions {
  readonly ledgerPort?: number;
}

/** Starts the framed tcp upstream and its ledger endpoint. */
export async function startEchoUpstream(options: EchoUpstreamOptions = {}): Promise<Upstream> {
  const store = createLedgerStore();
  const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => serve(socket, store));
  const ledgerServer = createHttpServer((req, res) => {
    if (!serveLedger(req, res, 'tcp', store)) sendJson(res, 404, { error: 'not found' });
  });
  const sockets = trackSockets(server);
  const ledgerSockets = trackSockets(ledgerServer);
  const address = await listenOn(server, options);
  const ledgerAddress = await listenOn(ledgerServer, { host: options.host, port: options.ledgerPort ?? 0 }).catch(
    async (err: unknown) => {
      await closeServer(server, sockets);
      throw err;
    },
  );
  return {
    kind: 'tcp',
    address,
    ledgerUrl: `http://${ledgerAddress}/ledger`,
    ledger: () => store.snapshot(),
    connections: () => sockets.count() + ledgerSockets.count(),
    close: async () => {
      await Promise.all([closeServer(server, sockets), closeServer(ledgerServer, ledgerSockets)]);
    },
  };
}

function serve(socket: Socket, store: LedgerStore): void {
  const decoder = createFrameDecoder();
  let broken = false;
  socket.on('error', () => undefined);
  socket.on('data', (chunk: Buffer) => {
    if (broken) return;
    let decoded: Decoded[];
    try {
      decoded = decoder.push(chunk);
    } catch (err) {
      // Past a bad header the byte stream cannot be framed again: say why and hang up.
      broken = true;
      socket.end(encodeFrame({ type: 'error', seq: 0, id: '', payload: `protocol: ${(err as Error).message}` }));
      return;
    }
    for (const item of decoded) socket.write(encodeFrame(answer(item, store)));
  });
  socket.on('end', () => {
    if (!broken) socket.end();
  });
}

function answer({ frame, intact }: Decoded, store: LedgerStore): Frame {
  const reply = (type: Frame['type'], payload: string): Frame => ({ type, seq: frame.seq, id: frame.id, payload });
  if (!intact) return reply('error', 'checksum');
  if (frame.type === 'write') return reply('ack', String(store.apply(frame.id, frame.payload)));
  if (frame.type === 'read') {
    const value = store.read(frame.id);
    return value === undefined ? reply('error', 'not found') : reply('ack', value);
  }
  return reply('error', `unexpected ${frame.type} frame`);
}
