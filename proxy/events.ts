/**
 * Typed lifecycle events of the proxy: what the logs, the metrics and the `/events` stream are fed
 * from. Never per chunk. Each event is stamped with a monotonic time (ms since the process
 * started, `performance.now()`) and the wall-clock time.
 */

/** The event kinds and their fields. */
export type EventBody =
  | { type: 'proxy.created' | 'proxy.updated'; proxy: string; listen: string; upstream: string; enabled: boolean }
  | { type: 'proxy.deleted'; proxy: string }
  | { type: 'proxy.enabled' | 'proxy.disabled'; proxy: string; listen: string }
  | { type: 'toxic.added' | 'toxic.updated'; proxy: string; toxic: Record<string, unknown> }
  | { type: 'toxic.removed'; proxy: string; toxic: string }
  | { type: 'toxic.unknown_attributes'; proxy: string; toxic: string; toxic_type: string; attributes: string[] }
  | { type: 'connection.opened'; proxy: string; connection: number; client: string }
  | {
      type: 'connection.closed';
      proxy: string;
      connection: number;
      reason: string;
      bytes_up: number;
      bytes_down: number;
    }
  | { type: 'connection.failed'; proxy: string; client: string; error: string }
  | { type: 'proxy.error'; proxy: string; error: string }
  | { type: 'fault.tripped'; proxy: string; connection: number; toxic: string; detail: string };

/** An event as delivered: its body plus when it happened. */
export type FaultlineEvent = EventBody & { at: number; time: string };

/** A subscriber; it must not throw (if it does, the error is swallowed, the data plane goes on). */
export type Subscriber = (event: FaultlineEvent) => void;

/** Fan-out of events to subscribers; costs nothing when nobody listens. */
export class EventBus {
  #subscribers = new Set<Subscriber>();

  /** Whether anyone listens (so callers can skip building an event nobody reads). */
  get active(): boolean {
    return this.#subscribers.size > 0;
  }

  /** Adds a subscriber; returns the function that removes it. */
  subscribe(subscriber: Subscriber): () => void {
    this.#subscribers.add(subscriber);
    return () => this.#subscribers.delete(subscriber);
  }

  emit(body: EventBody): void {
    if (this.#subscribers.size === 0) return;
    const event = { ...body, at: performance.now(), time: new Date().toISOString() } as FaultlineEvent;
    for (const subscriber of this.#subscribers) {
      try {
        subscriber(event);
      } catch {
        // A broken subscriber must never break a connection.
      }
    }
  }
}
