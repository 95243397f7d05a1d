/**
 * A client for faultline's `GET /events` (server-sent events): keeps the events it received so the
 * Controller can time a fault from the moment the proxy applied it. A real Toxiproxy has no such
 * stream; then `available` stays false and times come from the API's answers.
 */
import { sseData } from '../protocol/sse.js';
import type { EventJson } from '../protocol/wire.js';

/** A live subscription to a control API's event stream. */
export class EventStream {
  readonly events: EventJson[] = [];
  #abort = new AbortController();
  #waiters = new Set<() => void>();
  #available = false;

  /** Whether the server publishes events (faultline does, Toxiproxy does not). */
  get available(): boolean {
    return this.#available;
  }

  /** Opens the stream (`query` e.g. `?proxy=NAME`); resolves once it is flowing (or known to be missing). */
  async open(url: string, headers: Record<string, string> = {}, query = ''): Promise<void> {
    let response: Response;
    try {
      response = await fetch(`${url}/events${query}`, { headers: { accept: 'text/event-stream', ...headers }, signal: this.#abort.signal });
    } catch {
      return;
    }
    if (!response.ok || !response.body) return;
    this.#available = true;
    void this.#read(response.body).catch(() => undefined);
  }

  /** The first event after index `from` matching `match`, waiting up to `timeoutMs` for it. */
  async find(from: number, match: (e: EventJson) => boolean, timeoutMs: number): Promise<EventJson | undefined> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const found = this.events.slice(from).find(match);
      if (found || !this.#available) return found;
      const left = deadline - performance.now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          this.#waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, left);
        this.#waiters.add(done);
      });
    }
  }

  close(): void {
    this.#abort.abort();
    this.#available = false;
    for (const waiter of [...this.#waiters]) waiter();
  }

  async #read(body: ReadableStream<Uint8Array>): Promise<void> {
    for await (const data of sseData(body as unknown as AsyncIterable<Uint8Array>)) {
      try {
        this.events.push(JSON.parse(data) as EventJson);
      } catch {
        continue;
      }
      for (const waiter of [...this.#waiters]) waiter();
    }
  }
}
