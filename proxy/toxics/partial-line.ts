/**
 * partial_line: cuts a message mid-line, then stalls. Data passes until a line (bytes up to a
 * `\n`) longer than `bytes` comes; its first `bytes` bytes are delivered and everything after them
 * is held (a server that hung half-way through writing a JSON-RPC message). Lines of `bytes` bytes
 * or fewer pass whole. Removing the toxic delivers what it held, in order: the line completes.
 * Line lengths are counted from the moment the toxic is added.
 */
import { z } from 'zod';
import { integer } from './attributes.js';
import { StallStage } from './stall.js';
import { defineToxic, type Chunk, type Held, type Stage, type StageContext } from './toxic.js';

const NEWLINE = 0x0a;

const attributes = z.object({ bytes: integer('bytes').pipe(z.number().min(1, { error: 'must be >= 1 (bytes)' })).default(8) });
type Attributes = z.infer<typeof attributes>;

class PartialLineStage implements Stage<Attributes> {
  #ctx: StageContext;
  #keep: number;
  /** Bytes of the current line passed so far. */
  #inLine = 0;
  #stalled: StallStage | undefined;

  constructor(attrs: Attributes, ctx: StageContext) {
    this.#keep = attrs.bytes;
    this.#ctx = ctx;
  }

  get held(): number {
    return this.#stalled?.held ?? 0;
  }

  write(chunk: Chunk): void {
    if (this.#stalled) return this.#stalled.write(chunk);
    const { data } = chunk;
    let pos = 0;
    while (pos < data.length) {
      const newline = data.indexOf(NEWLINE, pos);
      const lineEnd = newline < 0 ? data.length : newline;
      const room = this.#keep - this.#inLine;
      if (lineEnd - pos > room) {
        const cut = pos + room;
        if (cut > 0) this.#ctx.push({ data: data.subarray(0, cut), receivedAt: chunk.receivedAt });
        this.#stalled = new StallStage();
        this.#stalled.write({ data: data.subarray(cut), receivedAt: chunk.receivedAt });
        this.#ctx.tripped(`line cut after ${this.#keep} bytes`);
        return;
      }
      if (newline < 0) {
        this.#inLine += lineEnd - pos;
        break;
      }
      this.#inLine = 0;
      pos = newline + 1;
    }
    this.#ctx.push(chunk);
  }

  end(): void {
    if (this.#stalled) this.#stalled.end();
    else this.#ctx.end();
  }

  detach(): Held {
    return this.#stalled?.detach() ?? { chunks: [], ended: false };
  }

  update(attrs: Attributes): void {
    this.#keep = attrs.bytes;
  }
}

/** The `partial_line` toxic. */
export const partialLine = defineToxic({
  type: 'partial_line',
  summary: 'delivers the first bytes bytes of the next longer line, then holds the rest until removed (a message cut mid-line)',
  attributes,
  create: (attrs, ctx) => new PartialLineStage(attrs, ctx),
});
