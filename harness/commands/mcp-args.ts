/** The MCP flags: `--mcp-protocol` (run, demo) and how the demo MCP server is set up (demo, upstream). */
import type { Argv } from 'yargs';
import { MCP_PROTOCOLS, type McpProtocol } from '../mcp-schema.js';
import { EVENT_STORE_KINDS, type EventStoreKind } from '../upstreams/event-stores.js';
import type { McpUpstreamOptions } from '../upstreams/mcp.js';

/** The MCP protocol flag. */
export interface McpProtocolArgs {
  'mcp-protocol'?: McpProtocol;
}

/** The demo MCP server's flags. */
export interface McpServerArgs {
  'event-store': EventStoreKind;
  'sse-retry-ms': number;
}

/** Declares `--mcp-protocol`. */
export function mcpProtocolOption<T>(y: Argv<T>) {
  return y.option('mcp-protocol', {
    choices: MCP_PROTOCOLS,
    describe: 'MCP protocol generation to speak (default: the newest both sides speak, among those a scenario is meant for)',
  });
}

/** Declares the demo MCP server's flags. */
export function mcpServerOptions<T>(y: Argv<T>) {
  return y
    .option('event-store', {
      choices: EVENT_STORE_KINDS,
      default: 'faultline' as EventStoreKind,
      describe: "MCP 2025-11-25: the server's event store for resumable streams (sdk-example: the SDK's example store, to reproduce its defect)",
    })
    .option('sse-retry-ms', { type: 'number', default: 250, describe: 'MCP 2025-11-25: the SSE retry (ms) the server sends with its priming events' })
    .check((argv) => {
      const retry = Number(argv['sse-retry-ms']);
      if (!Number.isInteger(retry) || retry < 1 || retry > 600_000) throw new Error('--sse-retry-ms must be a whole number of ms from 1 to 600000');
      return true;
    });
}

/** The demo MCP server's options from the flags; a pinned protocol is the only one it speaks. */
export function mcpUpstreamOptions(argv: McpServerArgs & McpProtocolArgs): McpUpstreamOptions {
  return {
    eventStore: argv['event-store'],
    retryMs: argv['sse-retry-ms'],
    ...(argv['mcp-protocol'] ? { protocols: [argv['mcp-protocol']] } : {}),
  };
}
