/**
 * The mcp-stdio probe: SDK 1.x's Client over StdioClientTransport, which starts the server process
 * as an MCP host does. Here that process is `faultline stdio` wrapping the server (the relay takes
 * its faults from the path's proxy), so partitions become pipes that stall or close and a server
 * process that dies. The SDK never restarts a server: when the process exits, the calls in flight
 * fail (`closed`) and the client stays closed. The probe then starts a new process on its next
 * attempt, as a host restarting its server would (`restarts`); a start that takes longer than an
 * attempt's budget goes on in the background and the next attempt waits for it. An attempt is one
 * tool call with RequestOptions.timeout = the attempt's budget.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { sdkVersion } from '../mcp-sdk.js';
import type { CallCue, CallOperation, CallResult, McpFacts } from './call.js';
import { DEFAULT_TOOL_CALLS, resultText, streamArguments, type ToolCall } from './mcp-options.js';
import { fillArgs, remaining, withDeadline, type Attempt, type Operation, type Probe, type TransportListener } from './probe.js';
import { mcpErrorKind } from './mcp.js';

/** How the mcp-stdio probe starts its server. */
export interface McpStdioProbeOptions {
  /** The command an MCP host would run (e.g. `node faultline.js stdio --name P -- node server.js`). */
  readonly command: string;
  readonly args: readonly string[];
  readonly label: string;
  readonly write?: ToolCall;
  readonly read?: ToolCall;
  /** Receives each line the process writes on stderr (the relay's notes). */
  readonly log?: (line: string) => void;
}

/** One started server process and its client. */
interface Started {
  readonly client: Client;
  readonly transport: StdioClientTransport;
  closed: boolean;
  /** Request ids of `stream` calls sent through it, per op id. */
  readonly streams: Map<string, string[]>;
}

/** A real MCP client over stdio. */
export class McpStdioProbe implements Probe {
  readonly kind = 'mcp-stdio';
  readonly label: string;
  #options: McpStdioProbeOptions;
  #calls: Readonly<Record<Operation['kind'], ToolCall>>;
  #current: Started | undefined;
  #starting: Promise<Started> | undefined;
  #starts = 0;
  #exits = 0;
  #answered = false;
  #closing = false;
  #listener: TransportListener | undefined;
  #all = new Set<Started>();

  constructor(options: McpStdioProbeOptions) {
    this.#options = options;
    this.label = options.label;
    this.#calls = { write: options.write ?? DEFAULT_TOOL_CALLS.write, read: options.read ?? DEFAULT_TOOL_CALLS.read };
  }

  /** What the probe did that the SDK would not: server processes started again after one exited. */
  get recoveries(): { readonly reopened: number; readonly replaced: number } {
    return { reopened: 0, replaced: Math.max(0, this.#starts - 1) };
  }

  watchTransport(listener: TransportListener): void {
    this.#listener = listener;
  }

  mcpFacts(): McpFacts {
    return {
      protocol: this.#answered ? '2025-11-25' : null,
      sdk: sdkVersion('@modelcontextprotocol/sdk'),
      sessions: [],
      reopened: 0,
      transport: 'stdio',
      serverExits: this.#exits,
      serverRestarts: Math.max(0, this.#starts - 1),
    };
  }

  async open(): Promise<void> {
    await withDeadline(this.#ready(), performance.now() + 15_000);
  }

  async send(op: Operation): Promise<Attempt> {
    const start = performance.now();
    const deadline = start + op.timeoutMs;
    try {
      const { client } = await withDeadline(this.#ready(), deadline);
      const { tool, args } = this.#calls[op.kind];
      const result = await client.callTool({ name: tool, arguments: fillArgs(args, op) }, undefined, { timeout: Math.max(1, remaining(deadline)) });
      const end = performance.now();
      this.#answered = true;
      const text = resultText(result);
      if (result.isError) return { ok: false, error: `tool error: ${text.slice(0, 60)}`, start, end };
      return op.kind === 'write' ? { ok: true, start, end } : { ok: true, start, end, value: text };
    } catch (err) {
      return { ok: false, error: mcpErrorKind(err), start, end: performance.now() };
    }
  }

  /** One long call (the `stream` tool); a server that dies under it fails it (the SDK neither resumes nor re-issues over stdio). */
  async call(op: CallOperation, cue: (cue: CallCue) => void): Promise<CallResult> {
    const start = performance.now();
    const deadline = start + op.timeoutMs;
    const delivered: number[] = [];
    let started: Started | undefined;
    let result = false;
    let error: string | undefined;
    try {
      started = await withDeadline(this.#ready(), deadline);
      const onprogress = ({ progress }: { progress: number }): void => {
        delivered.push(progress);
        cue({ kind: 'progress', count: delivered.length });
      };
      const answer = await started.client.callTool({ name: 'stream', arguments: streamArguments(op) }, undefined, { timeout: Math.max(1, remaining(deadline)), onprogress });
      this.#answered = true;
      result = true;
      if (answer.isError) error = `tool error: ${resultText(answer).slice(0, 60)}`;
    } catch (err) {
      error = mcpErrorKind(err);
    }
    const ids = started?.streams.get(op.id) ?? [];
    const requests = ids.map((id, i) => ({ request_id: id, delivered: i === ids.length - 1 ? delivered : [], result: result && i === ids.length - 1, abandoned: false }));
    return { ok: error === undefined, ...(error === undefined ? {} : { error }), start, end: performance.now(), requests };
  }

  async close(): Promise<void> {
    this.#closing = true;
    await this.#starting?.catch(() => undefined);
    await Promise.all([...this.#all].map((s) => s.client.close().catch(() => undefined)));
  }

  /** The running client, or one being started (a new process if the last one exited). */
  #ready(): Promise<Started> {
    if (this.#current && !this.#current.closed) return Promise.resolve(this.#current);
    this.#starting ??= this.#start().finally(() => (this.#starting = undefined));
    return this.#starting;
  }

  async #start(): Promise<Started> {
    if (this.#closing) throw new Error('closed');
    this.#starts++;
    const transport = new StdioClientTransport({ command: this.#options.command, args: [...this.#options.args], stderr: 'pipe' });
    let pending = '';
    transport.stderr?.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      let end: number;
      while ((end = pending.indexOf('\n')) >= 0) {
        this.#options.log?.(pending.slice(0, end));
        pending = pending.slice(end + 1);
      }
    });
    const started: Started = { client: new Client({ name: 'faultline-probe', version: '1.0.0' }), transport, closed: false, streams: new Map() };
    const send = transport.send.bind(transport);
    transport.send = (message: JSONRPCMessage) => {
      const m = message as { id?: unknown; method?: string; params?: { name?: unknown; arguments?: { id?: unknown } } };
      if (m.method === 'tools/call' && m.params?.name === 'stream' && m.id !== undefined) {
        const op = String(m.params.arguments?.id);
        started.streams.set(op, [...(started.streams.get(op) ?? []), String(m.id)]);
      }
      return send(message);
    };
    started.client.onclose = () => {
      started.closed = true;
      this.#all.delete(started);
      if (this.#closing) return;
      this.#exits++;
      this.#listener?.({ at: performance.now(), kind: 'closed', detail: 'the server process exited' });
    };
    this.#all.add(started);
    try {
      await started.client.connect(transport);
    } catch (err) {
      started.closed = true;
      await started.client.close().catch(() => undefined);
      throw err;
    }
    this.#current = started;
    return started;
  }
}

/** The `faultline` command this package runs as (`node <package>/dist/bin/faultline.js`; needs `npm run build`). */
export function faultlineCommand(): string[] {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5 && !existsSync(join(dir, 'package.json')); i++) dir = dirname(dir);
  return [process.execPath, join(dir, 'dist', 'bin', 'faultline.js')];
}

/** The command an MCP host runs for `server` behind the relay of proxy `proxy` on the control API `url`. */
export function relayCommand(proxy: string, url: string, server: readonly string[], token?: string): { command: string; args: string[] } {
  const [command, ...first] = faultlineCommand() as [string, ...string[]];
  return { command, args: [...first, 'stdio', '--name', proxy, '--url', url, ...(token ? ['--token', token] : []), '--', ...server] };
}
