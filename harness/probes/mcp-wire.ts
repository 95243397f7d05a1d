/**
 * What an MCP probe learns from the tap on its traffic (sse-tap.ts): the protocol version its
 * answered requests carried, which response streams belong to which long call (by the call's
 * JSON-RPC ids and the SSE event ids seen on its streams), each resumption (a GET with
 * Last-Event-ID) and reconnection (a GET without it, after the session's first), each message that
 * arrived and whether on a resumed stream, and each stream that ended before its response. It
 * reports these as McpWireEvents, cues a running call, and tells a probe when a call's stream
 * broke (so a 2026-07-28 probe can re-issue the request).
 */
import { EventEmitter } from 'node:events';
import { MCP_PROTOCOLS, type McpProtocol } from '../mcp-schema.js';
import type { CallCue, McpWireEvent } from './call.js';
import type { Exchange, SseEvent, TapListener } from './sse-tap.js';

interface Tag {
  stream: McpWireEvent['stream'];
  call?: string;
  requestId?: string;
  resumed: boolean;
  status?: number;
  result: boolean;
}

interface CallState {
  eventIds: Set<string>;
  requestIds: string[];
  reconnects: number;
}

type Message = { id?: unknown; method?: unknown; params?: { name?: unknown; arguments?: { id?: unknown }; progressToken?: unknown; progress?: unknown; data?: unknown } };

/** The probe's knowledge of its MCP streams. */
export class McpWire extends EventEmitter<{ 'call-stream-end': [op: string, requestId: string, opened: boolean] }> implements TapListener {
  /** Receives everything seen (the runner puts it on the timeline). */
  listener: ((event: McpWireEvent) => void) | undefined;
  /** The probe is closing: streams end by its hand, not the network's. */
  closing = false;
  #tags = new WeakMap<Exchange, Tag>();
  #calls = new Map<string, CallState>();
  #cues = new Map<string, (cue: CallCue) => void>();
  #requestEventIds = new Set<string>();
  #standaloneLast = new Map<string, string>();
  #opened = new Set<string>();
  #protocol: McpProtocol | null = null;
  #sessions = new Set<string>();

  /** The generation of the last request that got an answer. */
  get protocol(): McpProtocol | null {
    return this.#protocol;
  }

  /** The sessions the requests carried, in order. */
  get sessions(): string[] {
    return [...this.#sessions];
  }

  /** The last SSE event id seen on `session`'s standalone stream (to resume it from). */
  standaloneEventId(session: string | undefined): string | undefined {
    return session === undefined ? undefined : this.#standaloneLast.get(session);
  }

  /** Whether a GET with this Last-Event-ID (or none) opens or resumes the standalone stream, not a request's stream. */
  isStandalone(lastEventId: string | null): boolean {
    return lastEventId === null || (!this.#requestEventIds.has(lastEventId) && ![...this.#calls.values()].some((c) => c.eventIds.has(lastEventId)));
  }

  /** Sends `op`'s cues to `cue` until the returned function is called. */
  cue(op: string, cue: (cue: CallCue) => void): () => void {
    this.#cues.set(op, cue);
    return () => void this.#cues.delete(op);
  }

  /** The JSON-RPC ids sent for call `op`, in order. */
  requestIds(op: string): string[] {
    return [...(this.#calls.get(op)?.requestIds ?? [])];
  }

  request(x: Exchange): void {
    if (x.session !== null) this.#sessions.add(x.session);
    const message = (x.body ?? {}) as Message;
    if (x.method === 'POST' && message.method === 'tools/call' && message.params?.name === 'stream' && message.id !== undefined) {
      const op = String(message.params.arguments?.id);
      const call = this.#call(op);
      call.requestIds.push(String(message.id));
      if (call.requestIds.length > 1) this.#emit({ kind: 'reissue', stream: 'call', call: op, request_id: String(message.id) });
      this.#tags.set(x, { stream: 'call', call: op, requestId: String(message.id), resumed: false, result: false });
    } else if (x.method === 'POST' && message.id !== undefined) {
      this.#tags.set(x, { stream: 'request', requestId: String(message.id), resumed: false, result: false });
    } else if (x.method === 'GET') {
      const lei = x.lastEventId;
      const call = lei === null ? undefined : [...this.#calls].find(([, c]) => c.eventIds.has(lei))?.[0];
      const stream = call !== undefined ? 'call' : this.isStandalone(lei) ? 'standalone' : 'request';
      this.#tags.set(x, { stream, ...(call === undefined ? {} : { call, requestId: this.#calls.get(call)?.requestIds.at(-1) as string }), resumed: lei !== null, result: false });
    }
  }

  response(x: Exchange, status: number): void {
    const tag = this.#tags.get(x);
    if (!tag) return;
    tag.status = status;
    const ok = status >= 200 && status < 300;
    const protocol = MCP_PROTOCOLS.find((p) => p === x.protocolVersion);
    if (x.method === 'POST' && ok && protocol) this.#protocol = protocol;
    if (x.method === 'GET' && x.lastEventId !== null) {
      this.#emit({ kind: 'resume', stream: tag.stream, ...callOf(tag), last_event_id: x.lastEventId, status });
    } else if (x.method === 'GET') {
      const session = x.session ?? '';
      if (this.#opened.has(session)) this.#emit({ kind: 'reconnect', stream: 'standalone', status });
      else if (ok) this.#opened.add(session);
    }
    const call = tag.call === undefined ? undefined : this.#calls.get(tag.call);
    const reconnected = x.method === 'GET' ? tag.resumed : (call?.requestIds.indexOf(tag.requestId ?? '') ?? 0) > 0;
    if (call && ok && reconnected) this.#cues.get(tag.call as string)?.({ kind: 'reconnect', count: ++call.reconnects });
  }

  event(x: Exchange, event: SseEvent): void {
    const tag = this.#tags.get(x);
    if (!tag) return;
    if (event.id !== undefined) {
      if (tag.call !== undefined) this.#calls.get(tag.call)?.eventIds.add(event.id);
      else if (tag.stream === 'request') this.#requestEventIds.add(event.id);
      else if (x.session !== null) this.#standaloneLast.set(x.session, event.id);
    }
    if (event.data === '') return;
    let message: Message;
    try {
      message = JSON.parse(event.data) as Message;
    } catch {
      return;
    }
    const id = event.id === undefined ? {} : { event_id: event.id };
    if (message.method === 'notifications/progress' && typeof message.params?.progress === 'number') {
      this.#emit({ kind: 'event', stream: tag.stream, ...callOf(tag), request_id: String(message.params.progressToken), ...id, message: 'progress', step: message.params.progress, replayed: tag.resumed });
    } else if (message.method === 'notifications/message') {
      const notice = (message.params?.data as { notify?: unknown } | undefined)?.notify;
      this.#emit({ kind: 'event', stream: tag.stream, ...id, message: 'notification', ...(typeof notice === 'number' ? { notice } : {}), replayed: tag.resumed });
    } else if (message.method === undefined && message.id !== undefined && tag.call !== undefined) {
      tag.result = true;
      this.#emit({ kind: 'event', stream: 'call', ...callOf(tag), ...id, message: 'result', replayed: tag.resumed });
    }
  }

  end(x: Exchange, error?: string): void {
    const tag = this.#tags.get(x);
    if (!tag || this.closing) return;
    const opened = tag.status !== undefined && tag.status >= 200 && tag.status < 300;
    if (tag.call !== undefined && !tag.result) {
      if (opened) this.#emit({ kind: 'stream_end', stream: 'call', ...callOf(tag), ...(error === undefined ? {} : { error }) });
      this.emit('call-stream-end', tag.call, tag.requestId as string, opened);
    } else if (tag.stream === 'standalone' && x.method === 'GET' && opened) {
      this.#emit({ kind: 'stream_end', stream: 'standalone', ...(error === undefined ? {} : { error }) });
    }
  }

  #call(op: string): CallState {
    let call = this.#calls.get(op);
    if (!call) this.#calls.set(op, (call = { eventIds: new Set(), requestIds: [], reconnects: 0 }));
    return call;
  }

  #emit(event: Omit<McpWireEvent, 'at'>): void {
    this.listener?.({ at: performance.now(), ...event });
  }
}

function callOf(tag: Tag): { call?: string; request_id?: string } {
  return { ...(tag.call === undefined ? {} : { call: tag.call }), ...(tag.requestId === undefined ? {} : { request_id: tag.requestId }) };
}
