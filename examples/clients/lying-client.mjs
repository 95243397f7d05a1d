#!/usr/bin/env node
// A deliberately broken faultline client adapter: it acknowledges every operation at once and
// never sends anything. The server's ledger (--ledger-url) catches it: every write it
// acknowledged is reported as data lost ("acknowledged but missing"), ids listed.
//
//   faultline run --client "node examples/clients/lying-client.mjs" --ledger-url ... (expect exit 1)
import { createInterface } from 'node:readline';

for await (const line of createInterface({ input: process.stdin })) {
  const op = JSON.parse(line);
  process.stdout.write(`${JSON.stringify({ id: op.id, ok: true, value: op.payload })}\n`);
}
