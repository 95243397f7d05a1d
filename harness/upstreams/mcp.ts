/**
 * The mcp upstream: a real MCP server on one endpoint (`/mcp`) that speaks both protocol
 * generations, or one of them: 2025-11-25 through SDK 1.x with sessions and resumable streams
 * (mcp-legacy.ts), 2026-07-28 through SDK 2.x, stateless (mcp-modern.ts). Each request goes to
 * the side SDK 2.x's own classifier (`isLegacyRequest`) names. The same node:http server answers
 * `GET /ledger` (the write ledger, plus the call ledger under `calls`), `GET /health` and
 * `POST /notify` (pushes a notification, for a harness on another host).
 *
 * Tools (mcp-tools.ts): `record`, `read`, and the long call `stream`. The call ledger learns here
 * what only the HTTP layer sees: a call's response stream closing before its response, and a
 * `notifications/cancelled` arriving.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { isLegacyRequest } from '@modelcontextprotocol/server';
import { MCP_PROTOCOLS, type CallLedgerSnapshot, type McpProtocol } from '../mcp-schema.js';
import { sdkVersion } from '../mcp-sdk.js';
import { createCallLedger, type CallLedger } from './call-ledger.js';
import type { EventStoreKind } from './event-stores.js';
import { readBody } from './http.js';
import { createLedgerStore, sendJson, serveLedger } from './ledger.js';
import { createLegacyMcp, rpcError } from './mcp-legacy.js';
import { createModernMcp } from './mcp-modern.js';
import { closeServer, listenOn, trackSockets, type ListenOptions, type Upstream } from './upstream.js';

/** How the mcp upstream is set up. */
export interface McpUpstreamOptions extends ListenOptions {
  /** The generations it speaks (default both). */
  readonly protocols?: readonly McpProtocol[];
  /** 2025-11-25: the event store behind resumable streams (default `none`: no event ids). */
  readonly eventStore?: EventStoreKind;
  /** 2025-11-25: the SSE `retry` (ms) sent with priming events (default none: clients use their own backoff). */
  readonly retryMs?: number | null;
  /** The long call works on after it was told to stop, as a non-conformant server would. */
  readonly ignoreCancel?: boolean;
}

/** The mcp upstream, with session controls for tests. */
export interface McpUpstream extends Upstream {
  /** The MCP endpoint: `http://host:port/mcp`. */
  readonly url: string;
  notify(): Promise<number>;
  /** The ids of the live 2025-11-25 sessions. */
  sessions(): string[];
  /** Ends every session as a server restart would: their next request gets 404 session not found. */
  endSessions(): Promise<void>;
  /** What the call ledger recorded so far. */
  calls(): CallLedgerSnapshot;
}

/** Starts the mcp upstream. */
export async function startMcpUpstream(options: McpUpstreamOptions = {}): Promise<McpUpstream> {
  const protocols = MCP_PROTOCOLS.filter((p) => (options.protocols ?? MCP_PROTOCOLS).includes(p));
  const store = createLedgerStore();
  const calls = createCallLedger();
  const shutdown = new AbortController();
  const deps = { store, calls, ignoreCancel: options.ignoreCancel ?? false, shutdown: shutdown.signal };
  const legacy = createLegacyMcp({ deps, eventStore: options.eventStore ?? 'none', retryMs: options.retryMs ?? null });
  const modern = createModernMcp(deps);
  const info: CallLedgerSnapshot['server'] = {
    protocols,
    event_store: options.eventStore ?? 'none',
    retry_ms: options.retryMs ?? null,
    ignores_cancel: deps.ignoreCancel,
    sdk: [sdkVersion('@modelcontextprotocol/sdk'), sdkVersion('@modelcontextprotocol/server')],
  };
  let notices = 0;
  const notify = async (): Promise<number> => {
    const n = ++notices;
    calls.notice(n, await legacy.notify(n));
    return n;
  };
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://upstream').pathname;
    if (req.method === 'GET' && path === '/ledger') {
      req.resume();
      return sendJson(res, 200, { kind: 'mcp', applied: Object.fromEntries(store.snapshot()), ...calls.snapshot(info) });
    }
    if (serveLedger(req, res, 'mcp', store)) return void req.resume();
    if (path === '/notify' && req.method === 'POST') {
      req.resume();
      const notice = await notify();
      return sendJson(res, 200, { sessions: legacy.sessions().length, notice });
    }
    if (path !== '/mcp') return sendJson(res, 404, { error: 'not found' });
    const text = req.method === 'POST' ? await readBody(req) : '';
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      return sendJson(res, 400, rpcError(-32700, 'Parse error: Invalid JSON'));
    }
    const closed = observe(req, res, body, calls);
    if (await servedByModern(req, body, protocols)) return modern.handle(req, res, text, closed);
    await legacy.handle(req, res, body);
  };
  const http = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: String(err) });
      else res.destroy();
    });
  });
  const sockets = trackSockets(http);
  const address = await listenOn(http, options);
  return {
    kind: 'mcp',
    address,
    url: `http://${address}/mcp`,
    ledgerUrl: `http://${address}/ledger`,
    ledger: () => store.snapshot(),
    notify,
    sessions: () => legacy.sessions(),
    endSessions: () => legacy.endSessions(),
    calls: () => calls.snapshot(info),
    connections: () => sockets.count(),
    close: async () => {
      shutdown.abort();
      await legacy.endSessions();
      await modern.close();
      await closeServer(http, sockets);
    },
  };
}

/** Whether the 2026-07-28 side serves this request (SDK 2.x's classifier decides when both are spoken). */
async function servedByModern(req: IncomingMessage, body: unknown, protocols: readonly McpProtocol[]): Promise<boolean> {
  if (!protocols.includes('2026-07-28')) return false;
  if (!protocols.includes('2025-11-25')) return true;
  const headers = new Headers();
  for (const name of ['mcp-protocol-version', 'content-type', 'accept']) {
    const value = req.headers[name];
    if (typeof value === 'string') headers.set(name, value);
  }
  return !(await isLegacyRequest(new Request('http://upstream/mcp', { method: req.method ?? 'GET', headers }), body));
}

/**
 * Tells the call ledger about a `stream` call whose response closes before it was written and about
 * cancellations; returns a signal that aborts when the client's connection closed early.
 */
function observe(req: IncomingMessage, res: ServerResponse, body: unknown, calls: CallLedger): AbortSignal {
  const closed = new AbortController();
  const session = typeof req.headers['mcp-session-id'] === 'string' ? req.headers['mcp-session-id'] : null;
  const message = (body ?? {}) as { id?: unknown; method?: unknown; params?: { name?: unknown; requestId?: unknown } };
  const isCall = message.method === 'tools/call' && message.params?.name === 'stream' && message.id !== undefined;
  if (message.method === 'notifications/cancelled' && message.params?.requestId !== undefined) calls.cancelRequested(session, String(message.params.requestId));
  res.once('close', () => {
    if (res.writableFinished) return;
    closed.abort();
    if (isCall) calls.streamClosed(session, String(message.id));
  });
  return closed.signal;
}
