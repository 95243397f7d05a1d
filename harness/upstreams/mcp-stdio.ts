/**
 * The demo MCP server over stdio (`faultline upstream mcp --stdio --journal FILE`): SDK 1.x's
 * McpServer with the same tools (record, read, stream) on StdioServerTransport, for the stdio
 * relay to sit in front of. A stdio server is a process the client restarts after a crash, so its
 * ledger lives in a journal file, not in memory: every applied write is appended (synchronously,
 * before the reply is sent) to FILE, which a new process replays at start (its `read`s see what an
 * earlier one wrote), and each process keeps its call ledger in `FILE.calls-<pid>.json`, its
 * session named `stdio-<pid>`. readStdioLedger / readStdioCalls give the harness both.
 */
import { appendFileSync, existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { callLedgerSchema, type CallLedgerSnapshot } from '../mcp-schema.js';
import { sdkVersion } from '../mcp-sdk.js';
import { createCallLedger, type CallLedger } from './call-ledger.js';
import { createLedgerStore, type LedgerStore } from './ledger.js';
import { legacyServer } from './mcp-legacy.js';
import type { Ledger } from './upstream.js';

/** How the stdio server is set up. */
export interface StdioMcpOptions {
  /** The journal of applied writes (created if missing). */
  readonly journal: string;
  /** The long call works on after it was told to stop. */
  readonly ignoreCancel?: boolean;
}

/** One applied write, as a journal line. */
interface JournalLine {
  id: string;
  payload: string;
}

/** Serves MCP on this process's stdin/stdout until stdin ends; resolves once the transport closed. */
export async function serveStdioMcp(options: StdioMcpOptions): Promise<void> {
  const store = journaledStore(options.journal);
  const session = `stdio-${process.pid}`;
  const info: CallLedgerSnapshot['server'] = {
    protocols: ['2025-11-25'],
    event_store: 'none',
    retry_ms: null,
    ignores_cancel: options.ignoreCancel ?? false,
    sdk: [sdkVersion('@modelcontextprotocol/sdk')],
  };
  const calls = persistedCalls(createCallLedger(), `${options.journal}.calls-${process.pid}.json`, info);
  const shutdown = new AbortController();
  const server = legacyServer({ store, calls, ignoreCancel: options.ignoreCancel ?? false, shutdown: shutdown.signal }, session);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => (transport.onclose = resolve));
  await server.connect(transport);
  // StdioServerTransport does not notice the end of stdin: a client that closed it is gone.
  process.stdin.once('end', () => {
    shutdown.abort();
    void server.close();
  });
  await closed;
}

/** A ledger store that replays `journal` at start and appends every write to it. */
function journaledStore(journal: string): LedgerStore {
  const store = createLedgerStore();
  for (const line of journalLines(journal)) store.apply(line.id, line.payload);
  return {
    ...store,
    apply(id, payload) {
      appendFileSync(journal, JSON.stringify({ id, payload } satisfies JournalLine) + '\n');
      return store.apply(id, payload);
    },
  };
}

/** `ledger` whose snapshot is written to `file` (atomically) after every change. */
function persistedCalls(ledger: CallLedger, file: string, info: CallLedgerSnapshot['server']): CallLedger {
  const save = (): void => {
    writeFileSync(`${file}.tmp`, JSON.stringify(ledger.snapshot(info)));
    renameSync(`${file}.tmp`, file);
  };
  const after = <A extends unknown[]>(fn: (...args: A) => void) => (...args: A): void => {
    fn(...args);
    save();
  };
  return {
    start(call) {
      const handle = ledger.start(call);
      save();
      return { step: after(handle.step), aborted: after(handle.aborted), completed: after(handle.completed) };
    },
    streamClosed: after(ledger.streamClosed),
    cancelRequested: after(ledger.cancelRequested),
    notice: after(ledger.notice),
    snapshot: ledger.snapshot,
  };
}

function journalLines(journal: string): JournalLine[] {
  if (!existsSync(journal)) return [];
  return readFileSync(journal, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as JournalLine);
}

/** What the stdio servers of `journal` applied, all processes together. */
export function readStdioLedger(journal: string): Ledger {
  const counts = new Map<string, number>();
  for (const { id } of journalLines(journal)) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

/** The call ledgers of every stdio server process of `journal`, as one (undefined when none wrote one). */
export function readStdioCalls(journal: string): CallLedgerSnapshot | undefined {
  const prefix = `${basename(journal)}.calls-`;
  const files = readdirSync(dirname(journal)).filter((name) => name.startsWith(prefix) && name.endsWith('.json'));
  const snapshots = files.map((name) => callLedgerSchema.parse(JSON.parse(readFileSync(join(dirname(journal), name), 'utf8'))));
  const [first] = snapshots;
  if (!first) return undefined;
  return {
    server: first.server,
    calls: snapshots.flatMap((s) => s.calls).sort((a, b) => a.started_at - b.started_at),
    notices: snapshots.flatMap((s) => s.notices).sort((a, b) => a.at - b.at),
  };
}
