/**
 * Single-connection throughput: one client writes `totalBytes` in `chunkBytes` writes (with
 * backpressure), then half-closes; the sink answers with the byte count it received once it sees
 * the FIN. The clock runs from connect to that answer, so it stops when the sink has every byte.
 */
import { connect } from 'node:net';
import { secondsSince } from './stats.js';

/** One throughput measurement. */
export interface ThroughputResult {
  bytes: number;
  seconds: number;
  mibPerSecond: number;
}

/** Sends `totalBytes` to the sink at `port` and times it until the sink has them all. */
export function measureThroughput(port: number, totalBytes: number, chunkBytes: number): Promise<ThroughputResult> {
  const chunk = Buffer.alloc(chunkBytes, 0x61);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, noDelay: true });
    let start = 0n;
    let sent = 0;
    let answer = '';
    const pump = (): void => {
      while (sent < totalBytes) {
        const size = Math.min(chunkBytes, totalBytes - sent);
        sent += size;
        if (!socket.write(size === chunkBytes ? chunk : chunk.subarray(0, size))) {
          socket.once('drain', pump);
          return;
        }
      }
      socket.end();
    };
    socket.setEncoding('utf8');
    socket.on('error', reject);
    socket.once('connect', () => {
      start = process.hrtime.bigint();
      pump();
    });
    socket.on('data', (text: string) => {
      answer += text;
    });
    socket.once('end', () => {
      const seconds = secondsSince(start);
      socket.destroy();
      if (Number(answer) !== totalBytes) {
        reject(new Error(`sink received ${answer || 'nothing'} of ${totalBytes} bytes`));
        return;
      }
      resolve({ bytes: totalBytes, seconds, mibPerSecond: totalBytes / 2 ** 20 / seconds });
    });
  });
}
