/**
 * Seeded randomness. One server seed; every decision draws from a generator derived from the
 * seed and a path naming what it is for (proxy, connection, stream, toxic), so the same seed and
 * the same traffic give the same decisions run after run, whatever else happens in between.
 */
import { randomBytes } from 'node:crypto';

/** A generator of uniform numbers in [0, 1). */
export type Random = () => number;

/** A fresh random seed, for servers started without `--seed`. */
export function randomSeed(): string {
  return randomBytes(8).toString('hex');
}

/** A generator seeded from `seed` and the parts of a path, independent of every other path. */
export function deriveRandom(seed: string, ...path: Array<string | number>): Random {
  return sfc32(...hash128(`${seed}\u0000${path.join('\u0000')}`));
}

// cyrb128: a fast 128-bit string hash, good enough to seed sfc32 (not for cryptography).
function hash128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  return [(h1 ^ h2 ^ h3 ^ h4) >>> 0, (h2 ^ h1) >>> 0, (h3 ^ h1) >>> 0, (h4 ^ h1) >>> 0];
}

// sfc32: small fast counter generator, 128-bit state, passes PractRand to 2^42+ bytes.
function sfc32(a: number, b: number, c: number, d: number): Random {
  return () => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}
