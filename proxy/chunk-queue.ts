/** The queue a stage or a receiver holds its chunks in. */
import type { Chunk } from './toxics/toxic.js';

/** A FIFO of chunks that keeps its byte count, with O(1) shift (no Array#shift copying). */
export class ChunkQueue {
  #items: Array<Chunk | undefined> = [];
  #head = 0;
  #bytes = 0;

  /** Bytes queued. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Chunks queued. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  push(chunk: Chunk): void {
    this.#items.push(chunk);
    this.#bytes += chunk.data.length;
  }

  /** The oldest chunk, left in place. */
  peek(): Chunk | undefined {
    return this.#items[this.#head];
  }

  /** Removes and returns the oldest chunk. */
  shift(): Chunk | undefined {
    const chunk = this.#items[this.#head];
    if (chunk === undefined) return undefined;
    this.#items[this.#head++] = undefined;
    this.#bytes -= chunk.data.length;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return chunk;
  }

  /** Replaces the oldest chunk's bytes (after part of it was sent). */
  trimHead(data: Buffer): void {
    const chunk = this.peek();
    if (chunk === undefined) return;
    this.#bytes += data.length - chunk.data.length;
    chunk.data = data;
  }

  /** Empties the queue, returning its chunks oldest first. */
  drain(): Chunk[] {
    const chunks = this.#items.slice(this.#head) as Chunk[];
    this.#items = [];
    this.#head = 0;
    this.#bytes = 0;
    return chunks;
  }
}
