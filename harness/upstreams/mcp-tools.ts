/**
 * The demo MCP server's tools, written once for both SDK generations (mcp-legacy.ts and
 * mcp-modern.ts register them): `record {id, payload}` applies a write, `read {id}` returns the
 * payload last written (idempotent), and `stream {id, payload, steps, interval_ms}` is a long call:
 * it performs `steps` steps `interval_ms` apart, sends a progress notification after each, and
 * applies its write when it completes. Every step is in the call ledger. A conformant handler
 * stops at its next step once its abort signal fires (nothing applied); with `ignoreCancel` it
 * works on regardless, as a non-conformant server would.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { McpProtocol } from '../mcp-schema.js';
import type { CallLedger } from './call-ledger.js';
import type { LedgerStore } from './ledger.js';

/** What the tools work on. */
export interface ToolDeps {
  readonly store: LedgerStore;
  readonly calls: CallLedger;
  readonly ignoreCancel: boolean;
  /** Aborted when the server closes, so no call outlives it. */
  readonly shutdown: AbortSignal;
}

/** A handler's view of its request, whichever SDK serves it. */
export interface ToolRequest {
  readonly requestId: string;
  readonly session: string | null;
  readonly protocol: McpProtocol;
  readonly signal: AbortSignal;
  /** Sends progress `step` of `total` (a no-op when the client asked for none). */
  progress(step: number, total: number): Promise<void>;
}

/** A tool's answer. */
export interface ToolResult {
  [key: string]: unknown;
  content: Array<{ type: 'text'; text: string }>;
  isError?: boolean;
}

/** The arguments of each tool, as zod shapes. */
export const TOOL_SHAPES = {
  record: { id: z.string(), payload: z.string() },
  read: { id: z.string() },
  stream: {
    id: z.string(),
    payload: z.string(),
    steps: z.number().int().min(1).max(1000),
    interval_ms: z.number().int().min(0).max(60_000),
  },
} as const;

/** One-line descriptions of the tools. */
export const TOOL_DESCRIPTIONS: Readonly<Record<keyof typeof TOOL_SHAPES, string>> = {
  record: 'Applies a write: the ledger counts it under id',
  read: 'Reads the payload last written under id (idempotent)',
  stream: 'A long call: steps progress notifications interval_ms apart, then applies the write under id',
};

const text = (value: string, isError = false): ToolResult => ({ content: [{ type: 'text', text: value }], ...(isError ? { isError } : {}) });

/** `record`. */
export function recordTool({ store }: ToolDeps) {
  return ({ id, payload }: { id: string; payload: string }): ToolResult => text(JSON.stringify({ id, applied: store.apply(id, payload) }));
}

/** `read`. */
export function readTool({ store }: ToolDeps) {
  return ({ id }: { id: string }): ToolResult => {
    const value = store.read(id);
    return value === undefined ? text('not found', true) : text(value);
  };
}

/** `stream`: the long call. */
export function streamTool({ store, calls, ignoreCancel, shutdown }: ToolDeps) {
  return async (args: { id: string; payload: string; steps: number; interval_ms: number }, request: ToolRequest): Promise<ToolResult> => {
    const call = calls.start({ op: args.id, requestId: request.requestId, session: request.session, protocol: request.protocol });
    request.signal.addEventListener('abort', () => call.aborted(), { once: true });
    if (request.signal.aborted) call.aborted();
    for (let n = 1; n <= args.steps; n++) {
      await sleep(args.interval_ms, undefined, { signal: shutdown }).catch(() => undefined);
      if (shutdown.aborted || (request.signal.aborted && !ignoreCancel)) return text(`stopped before step ${n}`, true);
      call.step(n);
      await request.progress(n, args.steps).catch(() => undefined);
    }
    const applied = store.apply(args.id, args.payload);
    call.completed(true);
    return text(JSON.stringify({ id: args.id, applied }));
  };
}
