/** Many MCP clients: each its own session through the same proxy, each client's writes in the server's ledger. */
import t from 'tap';
import { startServer } from '../../proxy/api/server.js';
import { runScenarios } from '../../harness/run-scenarios.js';
import { parseScenario } from '../../harness/scenario.js';
import type { RequestEntry } from '../../harness/timeline.js';
import { startMcpUpstream } from '../../harness/upstreams/mcp.js';

t.test('12 MCP clients hold 12 sessions at once, are all cut off by the partition and recover', async (t) => {
  const clients = 12;
  const server = await startServer({ host: '127.0.0.1', port: 0, seed: '1' });
  t.teardown(() => server.close());
  const upstream = await startMcpUpstream();
  t.teardown(() => upstream.close());
  const scenario = parseScenario(
    {
      name: 'mcp_sessions',
      type: 'ManyClients',
      title: 'MCP sessions',
      paths: [{ name: 'primary', clients }],
      rate: 5,
      steps: [{ send: 2 }, { partition: { mode: 'drop' } }, { send: 1 }, { heal: {} }, { send: 2 }],
      expect: { data_lost: false },
      policy: { timeout_ms: 5000 },
    },
    'test',
  );
  let sessions = 0;
  const [result] = await runScenarios({
    proxyUrl: server.url,
    probe: 'mcp',
    mcpProtocol: '2025-11-25',
    upstream: { address: upstream.address, ledger: async () => upstream.ledger() },
    scenarios: [scenario],
    sameProcess: true,
    onProgress: () => void (sessions = Math.max(sessions, upstream.sessions().length)),
  });
  t.ok(result?.passed, result?.error_message ?? 'passed');
  t.equal(sessions, clients, 'one session per client, all live at once');
  const requests = (result?.timeline ?? []).filter((e): e is RequestEntry => e.type === 'request');
  const ledger = upstream.ledger();
  for (let c = 0; c < clients; c++) {
    const mine = requests.filter((r) => r.client === c);
    t.equal(mine.length, 5, `client ${c} sent 5`);
    t.ok(mine.every((r) => ledger.get(r.id) !== undefined), `client ${c}: every write reached the server`);
  }
  t.equal(result?.windows[0]?.clients?.affected, clients, 'every session was cut off');
  t.equal(result?.windows[0]?.clients?.unrecovered, 0, 'and every one recovered');
});
