/**
 * The 2026-07-28 side of the demo MCP server: SDK 2.x `createMcpHandler` (a fresh McpServer per
 * request, no sessions, no GET stream; a response upgrades to SSE once the handler sends progress)
 * in strict mode (`legacy: 'reject'`: the 2025 side is ours, mcp-legacy.ts), mounted on node:http
 * by a small adapter. The adapter hands the SDK a Request whose signal aborts when the client's
 * connection closes before the response was written, which is how the SDK learns that the
 * response stream closed (and must treat it as a cancellation).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { readTool, recordTool, streamTool, TOOL_DESCRIPTIONS, TOOL_SHAPES, type ToolDeps } from './mcp-tools.js';

/** The stateless 2026-07-28 endpoint. */
export interface ModernMcp {
  /** Serves one request; `body` is its text, `closed` aborts when the client went away. */
  handle(req: IncomingMessage, res: ServerResponse, body: string, closed: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** The 2026-07-28 endpoint over `deps`. */
export function createModernMcp(deps: ToolDeps): ModernMcp {
  const handler = createMcpHandler(() => modernServer(deps), { legacy: 'reject' });
  return {
    async handle(req, res, body, closed) {
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'upstream'}`);
      const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
      const request = new Request(url, { method: req.method ?? 'GET', headers, ...(hasBody ? { body } : {}), signal: closed });
      const response = await handler.fetch(request);
      res.writeHead(response.status, Object.fromEntries(response.headers));
      if (!response.body) return void res.end();
      const stream = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
      stream.on('error', () => res.destroy());
      res.on('close', () => stream.destroy());
      stream.pipe(res);
    },
    close: () => handler.close(),
  };
}

function modernServer(deps: ToolDeps): McpServer {
  const server = new McpServer({ name: 'faultline-upstream', version: '1.0.0' });
  const record = recordTool(deps);
  const read = readTool(deps);
  const stream = streamTool(deps);
  server.registerTool('record', { description: TOOL_DESCRIPTIONS.record, inputSchema: z.object(TOOL_SHAPES.record) }, (args) => record(args));
  server.registerTool('read', { description: TOOL_DESCRIPTIONS.read, inputSchema: z.object(TOOL_SHAPES.read) }, (args) => read(args));
  server.registerTool('stream', { description: TOOL_DESCRIPTIONS.stream, inputSchema: z.object(TOOL_SHAPES.stream) }, (args, ctx) => {
    const token = ctx.mcpReq._meta?.progressToken;
    return stream(args, {
      requestId: String(ctx.mcpReq.id),
      session: null,
      protocol: '2026-07-28',
      signal: ctx.mcpReq.signal,
      progress: async (step, total) => {
        if (token === undefined) return;
        await ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken: token, progress: step, total } });
      },
    });
  });
  return server;
}
