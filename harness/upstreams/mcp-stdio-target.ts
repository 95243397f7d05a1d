/** The demo MCP server over stdio as a target of the mcp-stdio probe: its command, with a fresh journal, and its ledgers. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { faultlineCommand } from '../probes/mcp-stdio.js';
import type { UpstreamTarget } from '../run-scenarios.js';
import { readStdioCalls, readStdioLedger } from './mcp-stdio.js';

/** A target whose server is `faultline upstream mcp --stdio` with a journal in a new temporary folder; `remove()` deletes it. */
export function stdioTarget(): { target: UpstreamTarget; journal: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-stdio-'));
  const journal = join(dir, 'ledger.jsonl');
  return {
    journal,
    target: {
      address: 'stdio:demo',
      stdioServer: [...faultlineCommand(), 'upstream', 'mcp', '--stdio', '--journal', journal],
      ledger: async () => readStdioLedger(journal),
      calls: async () => readStdioCalls(journal),
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
