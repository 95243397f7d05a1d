/** What both MCP probes (2025-11-25: mcp.ts, 2026-07-28: mcp-modern.ts) are configured with, and what they share. */
import type { StreamableHTTPReconnectionOptions } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallOperation } from './call.js';
import type { ArgsTemplate, Operation } from './probe.js';

/** A tool to call and its arguments template. */
export interface ToolCall {
  readonly tool: string;
  readonly args: ArgsTemplate;
}

/** The demo server's tools: `record {id, payload}` for writes, `read {id}` for reads. */
export const DEFAULT_TOOL_CALLS: Readonly<Record<Operation['kind'], ToolCall>> = {
  write: { tool: 'record', args: { id: '{id}', payload: '{payload}' } },
  read: { tool: 'read', args: { id: '{id}' } },
};

/** Where an MCP probe connects and which tools it calls. */
export interface McpProbeOptions {
  /** The MCP endpoint through the proxy, e.g. `http://127.0.0.1:8666/mcp`. */
  readonly url: string;
  readonly label?: string;
  /** The tool and arguments of a write; default `record {id, payload}`. */
  readonly write?: ToolCall;
  /** The tool and arguments of a read; default `read {id}`. */
  readonly read?: ToolCall;
  /** 2025-11-25: how the SDK re-opens a broken SSE stream (default: the SDK's own). */
  readonly reconnection?: StreamableHTTPReconnectionOptions;
  /** 2025-11-25: re-open a stream the SDK gave up on (default true). False shows what the SDK alone does. */
  readonly repairStream?: boolean;
}

/** The arguments of the demo server's long-call tool `stream` for `op`. */
export function streamArguments(op: CallOperation): Record<string, unknown> {
  return { id: op.id, payload: op.payload, steps: op.steps, interval_ms: op.intervalMs };
}

/** The first text content of a tool result. */
export function resultText(result: object): string {
  return (((result as { content?: unknown }).content ?? []) as Array<{ type: string; text?: string }>).find((c) => c.type === 'text')?.text ?? '';
}
