/**
 * The 2025-11-25 side of the demo MCP server: SDK 1.x McpServer over Streamable HTTP with
 * stateful sessions keyed by `mcp-session-id`, a standalone GET stream per session, and resumable
 * streams (event ids from the chosen event store, `Last-Event-ID` replay, the server's SSE `retry`).
 * notify() sends `notifications/message` to every live session; without a registered standalone
 * stream the SDK stores or drops it silently, which is what a probe must detect.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { createEventStore, type EventStoreKind } from './event-stores.js';
import { sendJson } from './ledger.js';
import { readTool, recordTool, streamTool, TOOL_DESCRIPTIONS, TOOL_SHAPES, type ToolDeps } from './mcp-tools.js';

/** How the 2025-11-25 side is set up. */
export interface LegacyOptions {
  readonly deps: ToolDeps;
  readonly eventStore: EventStoreKind;
  /** The SSE `retry` (ms) the server sends with its priming events; null sends none. */
  readonly retryMs: number | null;
}

/** The sessionful 2025-11-25 endpoint. */
export interface LegacyMcp {
  handle(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void>;
  /** Pushes notification `n` to every live session; resolves with the sessions it went to. */
  notify(n: number): Promise<string[]>;
  sessions(): string[];
  endSessions(): Promise<void>;
}

interface Session {
  readonly server: McpServer;
  readonly transport: StreamableHTTPServerTransport;
}

/** The 2025-11-25 endpoint over `options.deps`. */
export function createLegacyMcp(options: LegacyOptions): LegacyMcp {
  const sessions = new Map<string, Session>();
  const open = async (req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> => {
    const server = legacyServer(options.deps);
    const store = createEventStore(options.eventStore);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void sessions.set(id, { server, transport }),
      ...(store ? { eventStore: store } : {}),
      ...(options.retryMs === null ? {} : { retryInterval: options.retryMs }),
    });
    transport.onclose = () => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  };
  return {
    async handle(req, res, body) {
      const sid = req.headers['mcp-session-id'];
      if (typeof sid === 'string') {
        const session = sessions.get(sid);
        if (!session) return sendJson(res, 404, rpcError(-32001, 'Session not found'));
        return session.transport.handleRequest(req, res, body);
      }
      if (req.method !== 'POST' || !isInitializeRequest(body)) {
        return sendJson(res, 400, rpcError(-32000, 'Bad Request: no valid session ID provided'));
      }
      await open(req, res, body);
    },
    async notify(n) {
      const all = [...sessions];
      // One session failing to take it must not keep it from the others.
      await Promise.allSettled(all.map(([sid, s]) => s.server.sendLoggingMessage({ level: 'info', logger: 'faultline', data: { notify: n } }, sid)));
      return all.map(([sid]) => sid);
    },
    sessions: () => [...sessions.keys()],
    async endSessions() {
      const all = [...sessions.values()];
      sessions.clear();
      await Promise.all(all.map((s) => s.server.close()));
    },
  };
}

/**
 * The demo McpServer with its three tools (without a transport). `session` names the session in the
 * call ledger when the transport has no session id (stdio: one per server process).
 */
export function legacyServer(deps: ToolDeps, session?: string): McpServer {
  const server = new McpServer({ name: 'faultline-upstream', version: '1.0.0' }, { capabilities: { logging: {} } });
  const record = recordTool(deps);
  const read = readTool(deps);
  const stream = streamTool(deps);
  server.registerTool('record', { description: TOOL_DESCRIPTIONS.record, inputSchema: TOOL_SHAPES.record }, (args) => record(args));
  server.registerTool('read', { description: TOOL_DESCRIPTIONS.read, inputSchema: TOOL_SHAPES.read }, (args) => read(args));
  server.registerTool('stream', { description: TOOL_DESCRIPTIONS.stream, inputSchema: TOOL_SHAPES.stream }, (args, extra) => {
    const token = extra._meta?.progressToken;
    return stream(args, {
      requestId: String(extra.requestId),
      session: extra.sessionId ?? session ?? null,
      protocol: '2025-11-25',
      signal: extra.signal,
      progress: async (step, total) => {
        if (token === undefined) return;
        await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: step, total } });
      },
    });
  });
  return server;
}

/** A JSON-RPC error body without an id. */
export function rpcError(code: number, message: string): object {
  return { jsonrpc: '2.0', error: { code, message }, id: null };
}
