/**
 * limit_data: passes at most `bytes` bytes in its direction (per connection), truncating the chunk
 * that crosses the limit, then ends the stream and closes the connection once that end has
 * reached the destination: the peer receives exactly `bytes` bytes, then FIN. The count survives
 * updates of the toxic and starts from 0 when the toxic is added to a live connection.
 */
import { z } from 'zod';
import { integer } from './attributes.js';
import { defineToxic, type Chunk, type Stage, type StageContext } from './toxic.js';

const attributes = z.object({ bytes: integer('bytes') });
type Attributes = z.infer<typeof attributes>;

class LimitDataStage implements Stage<Attributes> {
  #ctx: StageContext;
  #limit: number;
  #passed = 0;
  #done = false;

  constructor(attrs: Attributes, ctx: StageContext) {
    this.#limit = attrs.bytes;
    this.#ctx = ctx;
  }

  write(chunk: Chunk): void {
    if (this.#done) return;
    const room = this.#limit - this.#passed;
    if (chunk.data.length < room) {
      this.#passed += chunk.data.length;
      this.#ctx.push(chunk);
      return;
    }
    if (room > 0) this.#ctx.push({ data: chunk.data.subarray(0, room), receivedAt: chunk.receivedAt });
    this.#passed = this.#limit;
    this.#done = true;
    this.#ctx.finish('limit_data');
  }

  end(): void {
    if (!this.#done) this.#ctx.end();
  }

  update(attrs: Attributes): void {
    this.#limit = attrs.bytes;
  }
}

/** The `limit_data` toxic. */
export const limitData = defineToxic({
  type: 'limit_data',
  summary: 'closes the connection once bytes bytes have passed in this direction',
  attributes,
  create: (attrs, ctx) => new LimitDataStage(attrs, ctx),
});
