/**
 * blackhole: the connection stays open but nothing passes in this stream: bytes are read and
 * discarded (memory stays flat however much is sent), and a FIN is held back too. On both streams
 * it is a silent partition: no error, only silence. Removing it lets data flow again on the same
 * connections; nothing black-holed is replayed (a held-back FIN is then passed on).
 */
import { z } from 'zod';
import { defineToxic, type Held, type Stage } from './toxic.js';

/** A stage that discards everything; remembers an end of stream so it is not lost for good. */
export class BlackholeStage implements Stage {
  #ended = false;

  write(): void {
    // Discarded: a partition delivers nothing.
  }

  end(): void {
    this.#ended = true;
  }

  detach(): Held {
    return { chunks: [], ended: this.#ended };
  }
}

/** The `blackhole` toxic. */
export const blackhole = defineToxic({
  type: 'blackhole',
  summary: 'discards everything in this stream; the connection stays open (a silent partition)',
  attributes: z.object({}),
  create: () => new BlackholeStage(),
});
