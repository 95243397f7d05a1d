import t from 'tap';
import { loadScenarios } from '../../harness/commands/scenario-args.js';
import { faultline } from '../helpers/cli.js';

t.test('bad MCP flags exit 2 naming the flag, before anything runs', async (t) => {
  const protocol = await faultline(['demo', '--mcp-protocol', '2024-01-01']);
  t.equal(protocol.code, 2);
  t.match(protocol.stderr, /mcp-protocol/);
  t.match(protocol.stderr, /2025-11-25.*2026-07-28/);
  const retry = await faultline(['upstream', 'mcp', '--sse-retry-ms', '0']);
  t.equal(retry.code, 2);
  t.match(retry.stderr, /--sse-retry-ms must be a whole number of ms from 1 to 600000/);
  const store = await faultline(['demo', '--suite', 'mcp', '--event-store', 'redis']);
  t.equal(store.code, 2);
  t.match(store.stderr, /event-store/);
  const suite = await faultline(['demo', '--suite', 'everything']);
  t.equal(suite.code, 2);
  t.match(suite.stderr, /suite/);
});

t.test('the MCP built-ins load by name and as a suite', async (t) => {
  t.same((await loadScenarios([], 'mcp')).map((s) => s.name), ['stream_cut_mid_call', 'double_disconnect_resume', 'notification_stream_loss', 'stdio_server_crash']);
  t.same((await loadScenarios(['double_disconnect_resume', 'full_connection_loss'])).map((s) => s.name), ['double_disconnect_resume', 'full_connection_loss']);
  t.equal((await loadScenarios([])).length, 6, 'the six by default');
});
