/**
 * The response side of an HTTP toxic (the upstream → client link): walks the upstream's responses
 * in step with the requests the request side queued (a response to HEAD has no body; 1xx are
 * interim), and sends the toxic's own replies where the answered requests' responses belong:
 * between two responses, in request order. A subclass changes how each part goes on (`emit*`):
 * later (http_delay_headers) or cut short (sse_truncate). Only an incomplete head is held here.
 */
import { responseFraming } from './body.js';
import { Exchange } from './exchange.js';
import type { Head } from './head.js';
import { MessageReader, type MessageSink } from './message-reader.js';
import { NOTHING_HELD, type Chunk, type Held, type Stage, type StageContext } from '../toxics/toxic.js';

/** The response-side stage; by default every part goes on at once (see the file comment). */
export class ResponseStage<A extends object> implements Stage<A>, MessageSink {
  protected readonly ctx: StageContext;
  /** The toxic's attributes (updated in place: the walk of the stream is kept). */
  protected attributes: A;
  protected readonly exchange: Exchange;
  /** When the chunk being walked reached this stage. */
  protected at = 0;
  #reader: MessageReader;
  #unwatch: () => void;
  #interim = false;
  #closed = false;
  /** Replies are being sent: taking one tells every watcher, this stage too, which must not start again. */
  #flushing = false;

  constructor(ctx: StageContext, attributes: A) {
    this.ctx = ctx;
    this.attributes = attributes;
    this.exchange = Exchange.of(ctx);
    this.#reader = new MessageReader('response', (head) => responseFraming(head, this.exchange.next?.method), this);
    this.exchange.clientBacklog = () => ctx.backlog();
    // Nothing to send yet: both stages of a connection are made together, before any byte.
    this.#unwatch = this.exchange.watch(this.#changed);
  }

  get held(): number {
    return this.#reader.buffered;
  }

  write(chunk: Chunk): void {
    if (this.#closed) return;
    this.at = chunk.receivedAt;
    this.#reader.feed(chunk.data);
  }

  end(): void {
    this.#reader.passThrough();
    this.#flush();
    if (!this.#closed) this.emitEnd();
  }

  update(attributes: A): void {
    this.attributes = attributes;
  }

  detach(): Held {
    this.#unwatch();
    // Replies go out as soon as they are due, so none is due here; one waiting behind a response under way is lost (see README).
    const chunks = this.#reader.release().map((data) => ({ data, receivedAt: this.at }));
    return chunks.length === 0 ? NOTHING_HELD : { chunks, ended: false };
  }

  head(head: Head, raw: Buffer): void {
    if (this.#closed) return;
    this.#interim = head.status < 200 && head.status !== 101;
    // A final response begins: the request it answers leaves the queue.
    if (!this.#interim) this.exchange.take();
    this.emitHead(head, raw);
  }

  piece(raw: Buffer, payload: boolean): void {
    if (!this.#closed) this.emitPiece(raw, payload);
  }

  done(): void {
    if (!this.#interim) this.#flush();
  }

  opaque(raw: Buffer): void {
    if (!this.#closed) this.emitPiece(raw, true);
  }

  invalid(reason: string): void {
    this.exchange.notHttp(this.ctx, reason);
  }

  /** Sends a response head on. */
  protected emitHead(_head: Head, raw: Buffer): void {
    this.ctx.push({ data: raw, receivedAt: this.at });
  }

  /** Sends body bytes (or opaque bytes) on. */
  protected emitPiece(raw: Buffer, _payload: boolean): void {
    this.ctx.push({ data: raw, receivedAt: this.at });
  }

  /** Sends the end of the stream on. */
  protected emitEnd(): void {
    this.ctx.end();
  }

  /** Stops for good (the subclass cut the connection): later bytes, even of the chunk under way, are dropped. */
  protected close(): void {
    this.#closed = true;
    this.#unwatch();
  }

  #changed = (): void => {
    if (this.exchange.opaque) this.#reader.passThrough();
    this.#flush();
  };

  /** Sends the replies that are due: between two responses, while the oldest request is answered here. */
  #flush(): void {
    if (this.#flushing || this.#closed || this.#reader.inMessage || this.#reader.buffered > 0) return;
    this.#flushing = true;
    for (let next = this.exchange.next; next?.reply && !this.#closed; next = this.exchange.next) {
      this.exchange.take();
      this.emitPiece(next.reply, false);
      if (next.close) {
        this.close();
        this.ctx.finish('http reply with connection: close');
      }
    }
    this.#flushing = false;
  }
}
