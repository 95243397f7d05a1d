/** Request ids in the xid format Toxiproxy sends: 12 bytes (time, machine, pid, counter) as 20 base32hex chars. */
import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

const ALPHABET = '0123456789abcdefghijklmnopqrstuv';
const machine = createHash('md5').update(hostname()).digest().subarray(0, 3);
let counter = randomBytes(3).readUIntBE(0, 3);

/** A fresh, time-ordered request id such as `cv0m4e2mr0ui3e8a215n`. */
export function requestId(): string {
  const id = Buffer.alloc(12);
  id.writeUInt32BE(Math.floor(Date.now() / 1000) >>> 0, 0);
  machine.copy(id, 4);
  id.writeUInt16BE(process.pid & 0xffff, 7);
  counter = (counter + 1) & 0xffffff;
  id.writeUIntBE(counter, 9, 3);
  return base32hex(id);
}

function base32hex(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}
