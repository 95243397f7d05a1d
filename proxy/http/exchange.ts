/**
 * Exchange: what the two stages of an HTTP toxic on one connection share. The request side
 * (client → upstream) queues each request it sees, with the reply when the toxic answers it
 * itself; the response side (upstream → client) takes them in order, so a reply is sent exactly
 * where the upstream's response to that request would have been (pipelining keeps its order).
 * When either side finds the stream is not HTTP, both pass it through untouched from then on,
 * and one warning event says so.
 */
import type { StageContext } from '../toxics/toxic.js';

/** A request as the response side needs it. */
export interface Pending {
  readonly method: string;
  /** The toxic's own response, sent instead of the upstream's (the request never reached it). */
  readonly reply?: Buffer;
  /** After the reply the connection closes (the client asked to, or its body was not read). */
  readonly close?: boolean;
}

/** The shared state of one connection's HTTP toxic stages (see the file comment). */
export class Exchange {
  /** Requests whose response has not begun, oldest first. */
  readonly #requests: Pending[] = [];
  /** Bytes of the replies queued (the request side counts them as held, so the link's bound covers them). */
  #replyBytes = 0;
  #opaque = false;
  #watchers = new Set<() => void>();
  /** The client's backlog (bytes sent to it and not yet taken), as the response side sees it. */
  clientBacklog: () => number = () => 0;

  /** The exchange of this connection for the toxic of `ctx`. */
  static of(ctx: StageContext): Exchange {
    return ctx.shared(() => new Exchange());
  }

  /** Whether the stream passes through untouched (it is not HTTP). */
  get opaque(): boolean {
    return this.#opaque;
  }

  /** Calls `watcher` on every change (a request queued, the stream found not HTTP); returns the unwatch function. */
  watch(watcher: () => void): () => void {
    this.#watchers.add(watcher);
    return () => this.#watchers.delete(watcher);
  }

  /** Bytes of the replies waiting to be sent. */
  get replyBytes(): number {
    return this.#replyBytes;
  }

  /** The oldest request whose response has not begun. */
  get next(): Pending | undefined {
    return this.#requests[0];
  }

  /** Queues a request seen by the request side. */
  queue(request: Pending): void {
    this.#requests.push(request);
    this.#replyBytes += request.reply?.length ?? 0;
    this.#changed();
  }

  /** Takes the oldest request: its response (or its reply) begins. */
  take(): Pending | undefined {
    const request = this.#requests.shift();
    if (request?.reply) {
      this.#replyBytes -= request.reply.length;
      this.#changed();
    }
    return request;
  }

  /** The stream is not HTTP: says so once (through `ctx`), and both sides pass everything through. */
  notHttp(ctx: StageContext, reason: string): void {
    if (this.#opaque) return;
    this.#opaque = true;
    ctx.bypassed(reason);
    this.#changed();
  }

  #changed(): void {
    for (const watcher of this.#watchers) watcher();
  }
}
