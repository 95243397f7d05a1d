/**
 * Event stores for the demo MCP server's resumable streams (2025-11-25, SDK 1.x `EventStore`):
 * - `faultline`: a correct one. Event ids encode their stream (`<stream>~<seq>`, as the spec
 *   advises) but the stream is looked up, never parsed back out of the id; replay sends the
 *   events of that stream after the given one, in the order they were stored. Memory is bounded
 *   per stream (the oldest events are dropped; resuming from one of them is then refused).
 * - `sdk-example`: the SDK's own example InMemoryEventStore (1.32.2), to reproduce its defect: it
 *   parses the stream out of the id by the first `_`, which yields an empty stream for the
 *   standalone stream `_GET_stream`, so resuming that stream replays nothing and the successor is
 *   registered under the wrong stream (SDK issue #943).
 * - `none`: no event ids at all, so no stream can be resumed.
 */
import type { EventStore } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { InMemoryEventStore } from '@modelcontextprotocol/sdk/examples/shared/inMemoryEventStore.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** Which event store the demo MCP server uses. */
export type EventStoreKind = 'faultline' | 'sdk-example' | 'none';

/** The event store kinds. */
export const EVENT_STORE_KINDS: readonly EventStoreKind[] = ['faultline', 'sdk-example', 'none'];

/** Events kept per stream before the oldest are dropped. */
const PER_STREAM = 1000;

/** A new event store of `kind` (undefined for `none`). */
export function createEventStore(kind: EventStoreKind): EventStore | undefined {
  if (kind === 'none') return undefined;
  if (kind === 'sdk-example') return new InMemoryEventStore();
  return faultlineEventStore();
}

function faultlineEventStore(): EventStore {
  const streams = new Map<string, Array<{ id: string; message: JSONRPCMessage }>>();
  const streamOf = new Map<string, string>();
  let seq = 0;
  return {
    async storeEvent(streamId, message) {
      const id = `${streamId}~${++seq}`;
      const events = streams.get(streamId) ?? [];
      streams.set(streamId, events);
      events.push({ id, message });
      streamOf.set(id, streamId);
      if (events.length > PER_STREAM) streamOf.delete((events.shift() as { id: string }).id);
      return id;
    },
    async getStreamIdForEventId(eventId) {
      return streamOf.get(eventId);
    },
    async replayEventsAfter(lastEventId, { send }) {
      const streamId = streamOf.get(lastEventId);
      if (streamId === undefined) throw new Error(`unknown or expired event id ${lastEventId}`);
      const events = streams.get(streamId) ?? [];
      const from = events.findIndex((e) => e.id === lastEventId);
      for (const event of events.slice(from + 1)) await send(event.id, event.message);
      return streamId;
    },
  };
}
