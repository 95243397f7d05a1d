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
  | { type: 'toxic.bypassed'; proxy: string; connection: number; toxic: string; toxic_type: string; reason: string }
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

/** An event kind. */
export type EventType = EventBody['type'];

/**
 * Fan-out of events to subscribers; costs nothing when nobody listens. A subscriber may name the
 * kinds it wants, so that per-connection events are not even built when only, say, the metrics
 * (which count toxic activations) listen: emitters of those ask `wants(type)` first.
 */
export class EventBus {
  #subscribers = new Map<Subscriber, ReadonlySet<EventType> | undefined>();
  /** Per kind, how many subscribers want it (those that want every kind counted in `#all`). */
  #wanted = new Map<EventType, number>();
  #all = 0;

  /** Whether anyone listens to anything. */
  get active(): boolean {
    return this.#subscribers.size > 0;
  }

  /** Whether anyone listens to events of `type` (so callers can skip building one nobody reads). */
  wants(type: EventType): boolean {
    return this.#all > 0 || (this.#wanted.get(type) ?? 0) > 0;
  }

  /** Adds a subscriber, to every kind or only to `types`; returns the function that removes it. */
  subscribe(subscriber: Subscriber, types?: readonly EventType[]): () => void {
    const kinds = types === undefined ? undefined : new Set(types);
    this.#subscribers.set(subscriber, kinds);
    this.#count(kinds, 1);
    return () => {
      if (this.#subscribers.delete(subscriber)) this.#count(kinds, -1);
    };
  }

  /** Sends `body` to its subscribers, stamped `at` (default now): a change stamps the moment it took effect. */
  emit(body: EventBody, at: number = performance.now()): void {
    if (!this.wants(body.type)) return;
    const event = { ...body, at, time: new Date(performance.timeOrigin + at).toISOString() } as FaultlineEvent;
    for (const [subscriber, kinds] of this.#subscribers) {
      if (kinds !== undefined && !kinds.has(body.type)) continue;
      try {
        subscriber(event);
      } catch {
        // A broken subscriber must never break a connection.
      }
    }
  }

  #count(kinds: ReadonlySet<EventType> | undefined, by: number): void {
    if (kinds === undefined) this.#all += by;
    else for (const kind of kinds) this.#wanted.set(kind, (this.#wanted.get(kind) ?? 0) + by);
  }
}
