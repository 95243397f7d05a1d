import t from 'tap';
import { runScenarios } from '../../harness/run-scenarios.js';
import { parseScenario } from '../../harness/scenario.js';
import { startHttpUpstream } from '../../harness/upstreams/http.js';
import type { FaultlineEvent } from '../../proxy/events.js';
import { apiServer } from '../helpers/api.js';

t.test('a scenario can drive several proxy servers: each path names its control API', async (t) => {
  const main = await apiServer(t);
  const other = await apiServer(t);
  const seen: FaultlineEvent[] = [];
  other.registry.events.subscribe((e) => seen.push(e));
  const http = await startHttpUpstream();
  t.teardown(() => http.close());
  const scenario = parseScenario(
    {
      name: 'two_servers',
      type: 'TwoServers',
      title: 'Two servers',
      paths: [{ name: 'remote', server: other.url }, 'local'],
      steps: [
        { send: { count: 2, paths: ['remote', 'local'] } },
        { partition: { path: 'remote', mode: 'drop' } },
        { send: { count: 3, paths: ['remote', 'local'] } },
        { heal: { path: 'remote' } },
        { send: { count: 2, paths: ['remote', 'local'] } },
      ],
      expect: { connection_lost: true, recovery_success: true, data_lost: false, cascading_failure: false },
    },
    'test',
  );
  t.same(scenario.servers, { remote: other.url });
  const [result] = await runScenarios({
    proxyUrl: main.url,
    probe: 'http',
    upstream: { address: http.address, ledger: async () => http.ledger() },
    scenarios: [scenario],
  });
  t.ok(result?.passed, result?.error_message ?? 'passed');
  const created = seen.filter((e) => e.type === 'proxy.created').map((e) => (e as { proxy: string }).proxy);
  t.same(created, ['faultline_http_two_servers_remote'], 'the remote path’s proxy lived on the other server');
  t.ok(seen.some((e) => e.type === 'toxic.added'), 'and its partition was applied there');
  t.same(main.registry.list().map((p) => p.name), [], 'the proxies were removed afterwards');
});

t.test('a path server that is not an http URL is a scenario error naming the field', async (t) => {
  t.throws(
    () => parseScenario({ name: 'x', type: 'X', title: 'X', paths: [{ name: 'a', server: 'ftp://x' }], steps: [{ send: 1 }], expect: {} }, 'bad.yaml'),
    /bad\.yaml: invalid scenario\n\s+paths\[0\]/,
  );
});
