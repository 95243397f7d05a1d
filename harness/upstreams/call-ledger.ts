/**
 * The call ledger of the demo MCP server: per JSON-RPC request of a long tool call, when it
 * started, each progress step, the response stream closing early, a cancellation asked for, the
 * handler's abort, completion; and every notification pushed. So "the server kept working after
 * the stream closed" is a recorded fact, not an assumption. Requests are keyed by session and
 * JSON-RPC id (ids are only unique within a session on 2025-11-25).
 */
import { callLedgerSchema, type CallLedgerSnapshot, type McpProtocol, type ServerCall } from '../mcp-schema.js';
import { fetchLedgerDocument } from './ledger.js';

/** The server's clock for the ledger: wall-clock ms with sub-ms precision. */
function serverNow(): number {
  return performance.timeOrigin + performance.now();
}

/** The call ledger in a `GET /ledger` document at `url` (undefined when the server keeps none). */
export async function fetchCallLedger(url: string): Promise<CallLedgerSnapshot | undefined> {
  const parsed = callLedgerSchema.safeParse(await fetchLedgerDocument(url));
  return parsed.success ? parsed.data : undefined;
}

/** What a handler reports about its own request. */
export interface CallHandle {
  step(n: number): void;
  /** The handler's abort signal fired (ignored once completed: transports abort after the response too). */
  aborted(): void;
  completed(applied: boolean): void;
}

/** The call ledger. */
export interface CallLedger {
  start(call: { op: string; requestId: string; session: string | null; protocol: McpProtocol }): CallHandle;
  /** The response stream of request `requestId` closed before its response was written. */
  streamClosed(session: string | null, requestId: string): void;
  /** A notifications/cancelled for `requestId` arrived. */
  cancelRequested(session: string | null, requestId: string): void;
  /** Notification `n` was pushed to `sessions`. */
  notice(n: number, sessions: string[]): void;
  snapshot(server: CallLedgerSnapshot['server']): CallLedgerSnapshot;
}

/** An empty call ledger. */
export function createCallLedger(): CallLedger {
  const calls = new Map<string, ServerCall>();
  const notices: CallLedgerSnapshot['notices'] = [];
  const key = (session: string | null, requestId: string): string => `${session ?? '-'} ${requestId}`;
  // A close or cancel can arrive before the handler started (or for a request that is no call).
  const early = new Map<string, Partial<Pick<ServerCall, 'stream_closed_at' | 'cancel_requested_at'>>>();
  const mark = (session: string | null, requestId: string, field: 'stream_closed_at' | 'cancel_requested_at'): void => {
    const call = calls.get(key(session, requestId));
    if (call) call[field] ??= serverNow();
    else early.set(key(session, requestId), { ...early.get(key(session, requestId)), [field]: serverNow() });
  };
  return {
    start({ op, requestId, session, protocol }) {
      const k = key(session, requestId);
      const before = early.get(k) ?? {};
      early.delete(k);
      const call: ServerCall = {
        op,
        request_id: requestId,
        session,
        protocol,
        started_at: serverNow(),
        steps: [],
        stream_closed_at: before.stream_closed_at ?? null,
        cancel_requested_at: before.cancel_requested_at ?? null,
        aborted_at: null,
        completed_at: null,
        applied: false,
      };
      calls.set(k, call);
      return {
        step: (n) => void call.steps.push({ step: n, at: serverNow() }),
        aborted: () => {
          if (call.completed_at === null) call.aborted_at ??= serverNow();
        },
        completed: (applied) => {
          call.completed_at = serverNow();
          call.applied = applied;
        },
      };
    },
    streamClosed: (session, requestId) => mark(session, requestId, 'stream_closed_at'),
    cancelRequested: (session, requestId) => mark(session, requestId, 'cancel_requested_at'),
    notice: (n, sessions) => void notices.push({ n, at: serverNow(), sessions }),
    snapshot: (server) => ({ server, calls: [...calls.values()].map((c) => ({ ...c, steps: [...c.steps] })), notices: [...notices] }),
  };
}
