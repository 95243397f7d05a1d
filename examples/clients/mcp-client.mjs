#!/usr/bin/env node
// A faultline client adapter for an MCP server, with the official TypeScript SDK
// (@modelcontextprotocol/sdk): one Client and Streamable HTTP session, replaced after a failure,
// calling faultline's demo MCP tools (`record {id, payload}` applies a write, `read {id}` reads it
// back). faultline starts it once per path with FAULTLINE_TARGET=host:port, writes one JSON
// operation per line on stdin and reads one JSON answer per line on stdout. Put your own server's
// endpoint and tools in call().
//
//   faultline run --client "node examples/clients/mcp-client.mjs" --upstream 127.0.0.1:3000 ...
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';

const url = new URL(`http://${process.env.FAULTLINE_TARGET}/mcp`);
let client; // the live session, or undefined after a failure (the next call opens a new one)
let broken = false; // the transport failed: the next success is a reconnect

const say = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

/** A short error kind: `timeout`, `http 404`, an errno code (ECONNRESET, ECONNREFUSED), or the message. */
function errorKind(err) {
  if (err instanceof McpError && err.code === ErrorCode.RequestTimeout) return 'timeout';
  if (err instanceof McpError && err.code === ErrorCode.ConnectionClosed) return 'closed';
  if (err instanceof StreamableHTTPError && err.code > 0) return `http ${err.code}`;
  const code = err?.cause?.code ?? err?.code;
  if (typeof code === 'string') return code === 'UND_ERR_SOCKET' ? 'closed' : code;
  return String(err?.message ?? err).slice(0, 60);
}

function disconnected(detail) {
  if (broken) return;
  broken = true;
  say({ event: 'disconnected', detail });
}

/** The session, opened (initialize) if there is none. */
async function session(timeout) {
  if (client) return client;
  const fresh = new Client({ name: 'faultline-example', version: '1.0.0' });
  // The SDK reports a lost notification stream here, even while no call is out (not once we dropped it).
  fresh.onerror = (err) => {
    if (client === fresh) disconnected(errorKind(err));
  };
  try {
    await fresh.connect(new StreamableHTTPClientTransport(url), { timeout });
  } catch (err) {
    await fresh.close().catch(() => undefined);
    throw err;
  }
  client = fresh;
  return client;
}

/** One tool call for `op`. */
async function call(op, timeout) {
  const mcp = await session(timeout);
  const args = op.kind === 'write' ? { id: op.id, payload: op.payload } : { id: op.id };
  return mcp.callTool({ name: op.kind === 'write' ? 'record' : 'read', arguments: args }, undefined, { timeout });
}

async function handle(op) {
  const deadline = Date.now() + op.timeout_ms;
  try {
    const result = await call(op, Math.max(1, deadline - Date.now()));
    if (broken) {
      broken = false;
      say({ event: 'reconnected' });
    }
    const text = result.content.find((c) => c.type === 'text')?.text ?? '';
    if (result.isError) return { id: op.id, ok: false, error: `tool error: ${text.slice(0, 40)}` };
    return op.kind === 'read' ? { id: op.id, ok: true, value: text } : { id: op.id, ok: true };
  } catch (err) {
    const error = errorKind(err);
    if (error !== 'timeout') disconnected(error);
    const failed = client;
    client = undefined; // a new session for the next call
    await failed?.close().catch(() => undefined);
    return { id: op.id, ok: false, error };
  }
}

// Connected before it says it is ready, as a client that opens its session at start-up: the first
// operation then measures a call, not the start of a cold process (about 240 ms here, seconds on a
// loaded machine). If the server cannot be reached yet, the first call opens the session.
await session(10_000).catch(() => undefined);
say({ event: 'ready' });
for await (const line of createInterface({ input: process.stdin })) say(await handle(JSON.parse(line)));
await client?.close(); // stdin closed at the end of the scenario
process.exit(0);
