/**
 * The stdio relay under test: `faultline stdio` (the built CLI) wrapping the demo MCP server over
 * stdio (`faultline upstream mcp --stdio`), driven by a real SDK client or by raw pipes.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { BIN } from './cli.js';
import { eventually, type Teardown } from './net.js';

/** A fresh journal path (its folder removed at teardown). */
export function journalPath(t: Teardown): string {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-stdio-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'ledger.jsonl');
}

/** The argv of the relay around the demo MCP server (after `node`). */
export function relayArgs(url: string, name: string, journal: string, server: readonly string[] = []): string[] {
  return [BIN, 'stdio', '--name', name, '--url', url, '--seed', 'test', '--', process.execPath, BIN, 'upstream', 'mcp', '--stdio', '--journal', journal, ...server];
}

/** A real SDK client that started the relay; `stderr()` is what the relay (and the server) wrote there. */
export interface StdioClient {
  client: Client;
  transport: StdioClientTransport;
  stderr(): string;
  /** Resolves when the client saw the relay process close. */
  closed: Promise<void>;
  /** Resolves once stderr has a line matching `pattern` (false after 10 s). */
  note(pattern: RegExp): Promise<boolean>;
}

/** Starts the relay as an MCP client would (SDK StdioClientTransport) and connects; closed at teardown. */
export async function stdioClient(t: Teardown, url: string, name: string, journal: string): Promise<StdioClient> {
  const transport = new StdioClientTransport({ command: process.execPath, args: relayArgs(url, name, journal), stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const client = new Client({ name: 'faultline-test', version: '1.0.0' });
  const closed = new Promise<void>((resolve) => (client.onclose = resolve));
  t.teardown(() => client.close());
  await client.connect(transport);
  return { client, transport, stderr: () => stderr, closed, note: (pattern) => eventually(() => pattern.test(stderr)) };
}

/** The relay started by hand: raw pipes, everything it writes kept. */
export interface RawRelay {
  child: ChildProcessWithoutNullStreams;
  stdout(): Buffer;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `node argv…` with raw pipes; killed at teardown. */
export function rawRelay(t: Teardown, argv: readonly string[]): RawRelay {
  const child = spawn(process.execPath, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  let err = '';
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  child.stdin.on('error', () => undefined);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  t.teardown(() => {
    child.kill('SIGKILL');
    return exited;
  });
  return { child, stdout: () => Buffer.concat(out), stderr: () => err, exited };
}

/** A JSON-RPC initialize request line (what an MCP client writes first). */
export function initializeLine(id = 1): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }) + '\n';
}
