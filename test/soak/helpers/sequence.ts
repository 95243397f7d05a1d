/**
 * Sequence-numbered streams. Each stream has an id; its 4-byte little-endian words are the id
 * (word 0), then a value derived from the id and the word's index. A receiver learns the id from
 * word 0 and checks every later word, so loss, duplication, reordering and one connection's bytes
 * reaching another all show, at the first wrong word.
 */

/** The word at `index` of stream `id`. */
export function word(id: number, index: number): number {
  return index === 0 ? id >>> 0 : (Math.imul(id, 0x9e3779b1) + index) >>> 0;
}

/** `bytes` (a multiple of 4) of stream `id` starting at word `from`. */
export function words(id: number, from: number, bytes: number): Buffer {
  const buf = Buffer.allocUnsafe(bytes);
  for (let i = 0; i < bytes / 4; i++) buf.writeUInt32LE(word(id, from + i), i * 4);
  return buf;
}

/** Checks a stream as it arrives, chunk by chunk (words may straddle chunks). */
export class SequenceChecker {
  /** Bytes received. */
  bytes = 0;
  /** The first wrong word, described; undefined while everything is in order. */
  error: string | undefined;
  #id: number | undefined;
  #index = 0;
  #carry = Buffer.alloc(4);
  #carried = 0;

  /** A checker for stream `id`, or for whatever id word 0 names. */
  constructor(id?: number) {
    this.#id = id;
  }

  /** The stream's id, once known. */
  get id(): number | undefined {
    return this.#id;
  }

  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.error !== undefined) return;
    let offset = 0;
    if (this.#carried > 0) {
      while (this.#carried < 4 && offset < chunk.length) this.#carry[this.#carried++] = chunk[offset++] as number;
      if (this.#carried < 4) return;
      this.#carried = 0;
      if (!this.#check(this.#carry.readUInt32LE(0))) return;
    }
    const end = offset + ((chunk.length - offset) & ~3);
    for (; offset < end; offset += 4) if (!this.#check(chunk.readUInt32LE(offset))) return;
    while (offset < chunk.length) this.#carry[this.#carried++] = chunk[offset++] as number;
  }

  #check(value: number): boolean {
    if (this.#index === 0 && this.#id === undefined) this.#id = value;
    const expected = word(this.#id as number, this.#index);
    if (value !== expected) {
      this.error = `stream ${this.#id}: word ${this.#index} is ${value}, expected ${expected}`;
      return false;
    }
    this.#index++;
    return true;
  }
}
