/** `faultline run --probe mcp-stdio --stdio-server CMD`: the harness against an MCP server over stdio, from the command line. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { readStdioLedger } from '../../harness/upstreams/mcp-stdio.js';
import { BIN, faultline, serverProcess } from '../helpers/cli.js';
import { journalPath } from '../helpers/stdio.js';

t.test('--probe mcp-stdio needs --stdio-server, and --stdio-server needs that probe', async (t) => {
  const missing = await faultline(['run', '--url', 'http://127.0.0.1:9', '--probe', 'mcp-stdio']);
  t.equal(missing.code, 2);
  t.match(missing.stderr, /--probe mcp-stdio needs --stdio-server/);
  const stray = await faultline(['run', '--url', 'http://127.0.0.1:9', '--upstream', '127.0.0.1:9', '--stdio-server', 'cat']);
  t.equal(stray.code, 2);
  t.match(stray.stderr, /--stdio-server goes with --probe mcp-stdio only/);
});

t.test('run drives a stdio server through the relay: the refuse partition ends and restarts its process', async (t) => {
  const { url } = await serverProcess(t);
  const journal = journalPath(t);
  const dir = join(journal, '..');
  const server = `${process.execPath} ${BIN} upstream mcp --stdio --journal ${journal}`;
  const run = await faultline(['run', 'connection_recovery', '--url', url, '--probe', 'mcp-stdio', '--stdio-server', server, '--out-dir', dir, '--quiet']);
  t.not(run.code, 2, `ran (${run.stderr.trim().split('\n').at(-1)})`);
  const file = readdirSync(dir).find((name) => name.endsWith('.json') && name.startsWith('network_partition'));
  const [result] = JSON.parse(readFileSync(join(dir, file as string), 'utf8'));
  t.equal(result.probe, 'mcp-stdio');
  t.equal(result.mcp_transport, 'stdio');
  t.ok(result.server_exits >= 1, `the refuse ended the server process (${result.server_exits} exits)`);
  t.ok(result.server_restarts >= 1, `and it was started again (${result.server_restarts})`);
  t.ok(result.metrics.successful_requests >= 5, 'the requests before the fault succeeded');
  t.ok(readStdioLedger(journal).size >= 5, 'and reached the server');
});
