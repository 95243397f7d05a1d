/**
 * The mcp upstream: a real MCP server (SDK McpServer) over Streamable HTTP with stateful sessions
 * keyed by `mcp-session-id`, on one node:http server that also answers `GET /ledger`,
 * `GET /health` and `POST /notify` (pushes a notification, for a harness on another host).
 *
 * Tools: `record {id, payload}` applies a write to the ledger; `read {id}` returns the stored
 * payload (idempotent). notify() sends `notifications/message` to every live session; without a
 * registered standalone GET stream the SDK drops it silently, which is what a probe must detect.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { readBody } from './http.js';
import { createLedgerStore, sendJson, serveLedger, type LedgerStore } from './ledger.js';
import { closeServer, listenOn, trackSockets, type ListenOptions, type Upstream } from './upstream.js';

/** The mcp upstream, with session controls for tests. */
export interface McpUpstream extends Upstream {
  /** The MCP endpoint: `http://host:port/mcp`. */
  readonly url: string;
  notify(): Promise<void>;
  /** The ids of the live sessions. */
  sessions(): string[];
  /** Ends every session as a server restart would: their next request gets 404 session not found. */
  endSessions(): Promise<void>;
}

interface Session {
  readonly server: McpServer;
  readonly transport: StreamableHTTPServerTransport;
}

/** Starts the mcp upstream. */
export async function startMcpUpstream(options: ListenOptions = {}): Promise<McpUpstream> {
  const store = createLedgerStore();
  const sessions = new Map<string, Session>();
  let notices = 0;
  const notify = async (): Promise<void> => {
    const n = ++notices;
    // One session failing to take it must not keep it from the others.
    await Promise.allSettled(
      [...sessions].map(([sid, s]) => s.server.sendLoggingMessage({ level: 'info', logger: 'faultline', data: { notify: n } }, sid)),
    );
  };
  const http = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: String(err) });
      else res.destroy();
    });
  });
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (serveLedger(req, res, 'mcp', store)) return void req.resume();
    const path = new URL(req.url ?? '/', 'http://upstream').pathname;
    if (path === '/notify' && req.method === 'POST') {
      req.resume();
      await notify();
      return sendJson(res, 200, { sessions: sessions.size });
    }
    if (path !== '/mcp') return sendJson(res, 404, { error: 'not found' });
    await handleMcp(req, res, sessions, store);
  };
  const sockets = trackSockets(http);
  const address = await listenOn(http, options);
  const endSessions = async (): Promise<void> => {
    const all = [...sessions.values()];
    sessions.clear();
    await Promise.all(all.map((s) => s.server.close()));
  };
  return {
    kind: 'mcp',
    address,
    url: `http://${address}/mcp`,
    ledgerUrl: `http://${address}/ledger`,
    ledger: () => store.snapshot(),
    notify,
    sessions: () => [...sessions.keys()],
    endSessions,
    connections: () => sockets.count(),
    close: async () => {
      await endSessions();
      await closeServer(http, sockets);
    },
  };
}

async function handleMcp(
  req: IncomingMessage,
  res: ServerResponse,
  sessions: Map<string, Session>,
  store: LedgerStore,
): Promise<void> {
  let body: unknown;
  if (req.method === 'POST') {
    try {
      body = JSON.parse(await readBody(req));
    } catch {
      return sendJson(res, 400, rpcError(-32700, 'Parse error: Invalid JSON'));
    }
  }
  const sid = req.headers['mcp-session-id'];
  if (typeof sid === 'string') {
    const session = sessions.get(sid);
    if (!session) return sendJson(res, 404, rpcError(-32001, 'Session not found'));
    return session.transport.handleRequest(req, res, body);
  }
  if (req.method !== 'POST' || !isInitializeRequest(body)) {
    return sendJson(res, 400, rpcError(-32000, 'Bad Request: no valid session ID provided'));
  }
  const server = createMcpServer(store);
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: () => randomUUID(),
    onsessioninitialized: (id) => void sessions.set(id, { server, transport }),
  });
  transport.onclose = () => {
    if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
  };
  await server.connect(transport);
  await transport.handleRequest(req, res, body);
}

function createMcpServer(store: LedgerStore): McpServer {
  const server = new McpServer({ name: 'faultline-upstream', version: '1.0.0' }, { capabilities: { logging: {} } });
  server.registerTool(
    'record',
    { description: 'Applies a write: the ledger counts it under id', inputSchema: { id: z.string(), payload: z.string() } },
    ({ id, payload }) => {
      const applied = store.apply(id, payload);
      return { content: [{ type: 'text', text: JSON.stringify({ id, applied }) }] };
    },
  );
  server.registerTool(
    'read',
    { description: 'Reads the payload last written under id (idempotent)', inputSchema: { id: z.string() } },
    ({ id }) => {
      const value = store.read(id);
      if (value === undefined) return { content: [{ type: 'text', text: 'not found' }], isError: true };
      return { content: [{ type: 'text', text: value }] };
    },
  );
  return server;
}

function rpcError(code: number, message: string): object {
  return { jsonrpc: '2.0', error: { code, message }, id: null };
}
