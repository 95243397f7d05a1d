/**
 * Round-trip time: one connection to the echo server, one `messageBytes` message in flight at a
 * time; each round trip is timed from write to the last echoed byte. The first `warmup` round
 * trips of each connection are not recorded. A round spreads its round trips over several
 * connections (slices) so that variants can alternate finely; `summarizeRtt` pools them.
 */
import { connect } from 'node:net';
import { quantile } from './stats.js';

/** Round-trip percentiles in microseconds. */
export interface RttResult {
  roundTrips: number;
  p50Us: number;
  p99Us: number;
  meanUs: number;
  maxUs: number;
}

/** Percentiles of round-trip samples (µs) gathered over one or more connections. */
export function summarizeRtt(parts: Float64Array[]): RttResult {
  const samples = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    samples.set(part, offset);
    offset += part.length;
  }
  let sum = 0;
  for (const s of samples) sum += s;
  return {
    roundTrips: samples.length,
    p50Us: quantile(samples, 0.5),
    p99Us: quantile(samples, 0.99),
    meanUs: sum / samples.length,
    maxUs: quantile(samples, 1),
  };
}

/** Times `roundTrips` echo round trips of `messageBytes` through `port`; resolves with the samples in µs. */
export function measureRtt(port: number, roundTrips: number, warmup: number, messageBytes = 64): Promise<Float64Array> {
  const message = Buffer.alloc(messageBytes, 0x62);
  const samples = new Float64Array(roundTrips);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, noDelay: true });
    let index = -warmup;
    let received = 0;
    let sentAt = 0n;
    const send = (): void => {
      sentAt = process.hrtime.bigint();
      socket.write(message);
    };
    socket.on('error', reject);
    socket.once('connect', send);
    socket.on('data', (data: Buffer) => {
      received += data.length;
      if (received < messageBytes) return;
      const micros = Number(process.hrtime.bigint() - sentAt) / 1000;
      if (received > messageBytes) {
        reject(new Error(`echo returned ${received} bytes for a ${messageBytes}-byte message`));
        socket.destroy();
        return;
      }
      received = 0;
      if (index >= 0) samples[index] = micros;
      index++;
      if (index < roundTrips) {
        send();
        return;
      }
      socket.destroy();
      resolve(samples);
    });
  });
}
