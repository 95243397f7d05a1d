/**
 * MessageReader: walks one direction of an HTTP/1.1 connection, message after message (keep-alive
 * and pipelining), reporting each head, each body piece and each message's end, while keeping no
 * more than an incomplete head or chunk line. Once the stream leaves HTTP (a tunnel after 101 or
 * CONNECT) or turns out not to be HTTP, every byte from there on, held ones first, is reported as
 * opaque: nothing is lost, duplicated or reordered.
 */
import { BodyReader, type BodySink, type Framing } from './body.js';
import { HeadReader, type Head, type MessageKind } from './head.js';

/** What a MessageReader reports, in stream order. */
export interface MessageSink extends BodySink {
  /** A complete head, with its bytes. */
  head(head: Head, raw: Buffer): void;
  /** The message whose head came last is complete (its body too). */
  done(): void;
  /** Bytes passed on unparsed: after a tunnel, or once the stream was found not to be HTTP. */
  opaque(raw: Buffer): void;
  /** The stream is not HTTP (said once, before its bytes come as opaque). */
  invalid(reason: string): void;
}

/** Walks the messages of one direction (see the file comment). */
export class MessageReader {
  #head: HeadReader;
  #framing: (head: Head) => Framing | string;
  #sink: MessageSink;
  #body: BodyReader | undefined;
  #opaque = false;

  /** `framing` says how the body after each head is delimited (or why it cannot be). */
  constructor(kind: MessageKind, framing: (head: Head) => Framing | string, sink: MessageSink) {
    this.#head = new HeadReader(kind);
    this.#framing = framing;
    this.#sink = sink;
  }

  /** Bytes held (an incomplete head or chunk line); counted by the caller, reported on later. */
  get buffered(): number {
    return this.#head.buffered;
  }

  /** Whether a message has begun (its head read) and not ended. */
  get inMessage(): boolean {
    return this.#body !== undefined;
  }

  /** Whether bytes now pass unparsed. */
  get opaque(): boolean {
    return this.#opaque;
  }

  /** Stops parsing: held bytes, then every later byte, are reported as opaque. */
  passThrough(): void {
    if (this.#opaque) return;
    this.#opaque = true;
    this.#body = undefined;
    for (const part of this.#head.take()) this.#sink.opaque(part);
  }

  /** Stops parsing and hands back the held bytes instead of reporting them (the stage is leaving). */
  release(): Buffer[] {
    this.#opaque = true;
    this.#body = undefined;
    return this.#head.take();
  }

  /** Walks `data`. */
  feed(data: Buffer): void {
    let offset = 0;
    while (offset < data.length) {
      if (this.#opaque) {
        this.#sink.opaque(offset === 0 ? data : data.subarray(offset));
        return;
      }
      if (this.#body) {
        const result = this.#body.feed(data, offset, this.#sink);
        offset += result.used;
        if (result.invalid !== undefined) this.#fail(result.invalid);
        else if (result.done) this.#end();
        continue;
      }
      const result = this.#head.feed(offset === 0 ? data : data.subarray(offset));
      if (result.state === 'partial') return;
      if (result.state === 'invalid') {
        // The head reader held every byte it was given so far, this feed's rest included.
        this.#fail(result.reason);
        return;
      }
      offset += result.used;
      const framing = this.#framing(result.head);
      if (typeof framing === 'string') {
        this.#fail(framing);
        this.#sink.opaque(result.raw);
        continue;
      }
      this.#sink.head(result.head, result.raw);
      if (this.#opaque) continue;
      if (framing.type === 'tunnel') {
        this.#sink.done();
        this.passThrough();
        continue;
      }
      this.#body = new BodyReader(framing);
      if (this.#body.empty) this.#end();
    }
  }

  #end(): void {
    this.#body = undefined;
    this.#sink.done();
  }

  #fail(reason: string): void {
    this.#sink.invalid(reason);
    this.passThrough();
  }
}
