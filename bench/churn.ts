/**
 * Connection churn: `concurrency` workers each loop connect → 64-byte echo → end → wait for
 * 'close', until `total` connections are done. A connection counts once it is fully closed.
 */
import { connect, type Socket } from 'node:net';
import { secondsSince } from './stats.js';

/** One churn measurement. */
export interface ChurnResult {
  connections: number;
  seconds: number;
  perSecond: number;
}

/** Pools churn slices: all connections over all the time they took. */
export function combineChurn(parts: ChurnResult[]): ChurnResult {
  const connections = parts.reduce((n, p) => n + p.connections, 0);
  const seconds = parts.reduce((n, p) => n + p.seconds, 0);
  return { connections, seconds, perSecond: connections / seconds };
}

/** Opens one connection to `port`, echoes `message` and resolves with the socket still open. */
export function openEchoed(port: number, message: Buffer, onClose?: (socket: Socket, echoed: boolean) => void): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, noDelay: true });
    let received = 0;
    socket.once('connect', () => socket.write(message));
    socket.on('data', (data: Buffer) => {
      received += data.length;
      if (received === message.length) resolve(socket);
    });
    socket.on('error', reject);
    socket.once('close', () => {
      if (received < message.length) reject(new Error(`connection closed after ${received} of ${message.length} echoed bytes`));
      onClose?.(socket, received >= message.length);
    });
  });
}

/** Runs `total` connect/echo/close cycles against `port`, `concurrency` at a time. */
export function measureChurn(port: number, total: number, concurrency: number, messageBytes = 64): Promise<ChurnResult> {
  const message = Buffer.alloc(messageBytes, 0x63);
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    let started = 0;
    let done = 0;
    let failed = false;
    const next = (): void => {
      if (failed || started >= total) return;
      started++;
      openEchoed(port, message, (_socket, echoed) => {
        if (!echoed || failed) return;
        done++;
        if (done < total) {
          next();
          return;
        }
        const seconds = secondsSince(start);
        resolve({ connections: total, seconds, perSecond: total / seconds });
      }).then(
        (socket) => socket.end(),
        (err: Error) => {
          failed = true;
          reject(err);
        },
      );
    };
    for (let i = 0; i < Math.min(concurrency, total); i++) next();
  });
}
