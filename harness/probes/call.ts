/**
 * The long-call contract of MCP probes: one tool call that streams progress notifications (the demo
 * server's `stream` tool), made while the runner applies faults on cue. The probe tells the runner
 * as each progress step reaches the application and each time the call's response stream is
 * re-established (resumed with Last-Event-ID on 2025-11-25, re-issued on 2026-07-28), and what it
 * saw of MCP streams on the wire.
 */
import type { z } from 'zod';
import type { callEntrySchema, mcpEntrySchema, McpProtocol } from '../mcp-schema.js';

/** A long call to make. */
export interface CallOperation {
  /** Unique per call; the write the call applies at its end is recorded under it. */
  readonly id: string;
  readonly payload: string;
  /** Progress steps the tool performs and reports. */
  readonly steps: number;
  readonly intervalMs: number;
  /** The call gives up after this long in all (resumptions and re-issues included). */
  readonly timeoutMs: number;
}

/** A cue for the runner while a call runs. */
export type CallCue = { readonly kind: 'progress'; readonly count: number } | { readonly kind: 'reconnect'; readonly count: number };

/** One JSON-RPC request of a call as the client saw it (shape: mcp-schema.ts). */
export type ClientRequest = z.infer<typeof callEntrySchema>['requests'][number];

/** How a call went, timed on performance.now(). */
export interface CallResult {
  readonly ok: boolean;
  readonly error?: string;
  readonly start: number;
  readonly end: number;
  readonly requests: ClientRequest[];
}

/** Something the probe saw of an MCP stream, timed on performance.now() (shape: mcp-schema.ts). */
export type McpWireEvent = Omit<z.infer<typeof mcpEntrySchema>, 'type' | 'path'>;

/** What the probe knows of the protocol it spoke. */
export interface McpFacts {
  /** The generation of the last request that got an answer (null: none did). */
  readonly protocol: McpProtocol | null;
  /** The client SDK and version. */
  readonly sdk: string;
  /** The MCP sessions the probe used (2025-11-25), in order. */
  readonly sessions: readonly string[];
  /** Standalone streams the probe re-opened after the SDK had given up on them (2025-11-25). */
  readonly reopened: number;
  /** The transport: Streamable HTTP (the default) or stdio (the mcp-stdio probe). */
  readonly transport?: 'http' | 'stdio';
  /** stdio: times the server process exited while the probe used it. */
  readonly serverExits?: number;
  /** stdio: times the probe started the server process again after one exited. */
  readonly serverRestarts?: number;
}
