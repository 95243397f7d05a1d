/**
 * The request side of an HTTP toxic (the client → upstream link): walks the requests, queues each
 * on the Exchange, and passes its bytes on, unless the toxic answers it itself (`answer`): then
 * its head and body (Content-Length or chunked) are consumed here and never reach the upstream,
 * and the requests after it go on as usual. Only an incomplete head is held.
 */
import { asksForTunnel, requestFraming } from './body.js';
import { Exchange, type Pending } from './exchange.js';
import type { Head } from './head.js';
import { MessageReader, type MessageSink } from './message-reader.js';
import { NOTHING_HELD, type Chunk, type Held, type Stage, type StageContext } from '../toxics/toxic.js';

/** Decides, per request, whether the toxic (with attributes `A`) answers it: the Pending to queue (with a reply) or undefined. */
export type Answer<A> = (head: Head, attributes: A) => Pending | undefined;

/** The request-side stage (see the file comment). */
export class RequestStage<A extends object> implements Stage<A>, MessageSink {
  #ctx: StageContext;
  #attributes: A;
  #exchange: Exchange;
  #answer: Answer<A> | undefined;
  #reader: MessageReader;
  #unwatch: () => void;
  /** The request being read is answered here: its bytes are dropped. */
  #consuming = false;
  #at = 0;

  constructor(ctx: StageContext, attributes: A, answer?: Answer<A>) {
    this.#ctx = ctx;
    this.#attributes = attributes;
    this.#answer = answer;
    this.#exchange = Exchange.of(ctx);
    this.#reader = new MessageReader('request', requestFraming, this);
    let replyBytes = 0;
    this.#unwatch = this.#exchange.watch(() => {
      if (this.#exchange.opaque) this.#reader.passThrough();
      if (this.#exchange.replyBytes < replyBytes) ctx.released();
      replyBytes = this.#exchange.replyBytes;
    });
    if (this.#exchange.opaque) this.#reader.passThrough();
  }

  /**
   * An incomplete head, the replies to answered requests not yet sent, and the client's backlog: a
   * client that pipelines requests the toxic answers without reading the replies is paused by the
   * link's bound, as a real server stops reading (the Connection re-checks it when the client drains).
   */
  get held(): number {
    return this.#reader.buffered + this.#exchange.replyBytes + this.#exchange.clientBacklog();
  }

  write(chunk: Chunk): void {
    this.#at = chunk.receivedAt;
    this.#reader.feed(chunk.data);
  }

  end(): void {
    this.#reader.passThrough();
    this.#ctx.end();
  }

  /** New attributes apply from the next request; what is under way is kept. */
  update(attributes: A): void {
    this.#attributes = attributes;
  }

  detach(): Held {
    this.#unwatch();
    const chunks = this.#reader.release().map((data) => ({ data, receivedAt: this.#at }));
    return chunks.length === 0 ? NOTHING_HELD : { chunks, ended: false };
  }

  head(head: Head, raw: Buffer): void {
    const answered = this.#answer?.(head, this.#attributes);
    this.#exchange.queue(answered ?? { method: head.method });
    if (answered) {
      this.#consuming = true;
      return;
    }
    this.#pass(raw);
    // After CONNECT or an upgrade the bytes may stop being HTTP: they pass unparsed.
    if (asksForTunnel(head)) this.#reader.passThrough();
  }

  piece(raw: Buffer): void {
    if (!this.#consuming) this.#pass(raw);
  }

  done(): void {
    this.#consuming = false;
  }

  opaque(raw: Buffer): void {
    this.#pass(raw);
  }

  invalid(reason: string): void {
    this.#exchange.notHttp(this.#ctx, reason);
  }

  #pass(data: Buffer): void {
    this.#ctx.push({ data, receivedAt: this.#at });
  }
}
