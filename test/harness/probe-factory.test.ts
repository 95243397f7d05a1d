/**
 * runScenarios with a probe factory: a small custom Node client (an HTTP client class with its
 * own keep-alive agent, as an application would have) wrapped in the Probe contract, as in the
 * README's tap example. Without `ownPolicy` the harness's policy wraps it; with it, it runs
 * pass-through.
 */
import { Agent, request } from 'node:http';
import t from 'tap';
import { builtinScenarios } from '../../harness/builtins.js';
import type { Probe, ProbeTarget } from '../../harness/probes/probe.js';
import { runScenarios } from '../../harness/run-scenarios.js';
import { startServer } from '../../proxy/api/server.js';
import { demoUpstream } from '../helpers/harness.js';

/** The application's own client: puts and gets operations by id over one keep-alive agent. */
class OpsClient {
  readonly #base: string;
  readonly #agent = new Agent({ keepAlive: true });

  constructor(base: string) {
    this.#base = base;
  }

  /** Resolves with the body of a 2xx answer; rejects with the socket's error, a timeout or `http <status>`. */
  call(method: 'POST' | 'GET', id: string, body: string | undefined, timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = request(`${this.#base}/ops/${encodeURIComponent(id)}`, { method, agent: this.#agent, timeout: timeoutMs }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => ((res.statusCode ?? 0) < 300 ? resolve(text) : reject(new Error(`http ${res.statusCode}`))));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })));
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}

/** The factory: one OpsClient per path, in the Probe contract. */
function opsProbe({ host, port, path }: ProbeTarget, ownPolicy = false): Probe {
  const client = new OpsClient(`http://${host}:${port}`);
  return {
    kind: 'ops-client',
    label: `ops-client ${path} → ${host}:${port}`,
    ownPolicy,
    async open() {},
    async send(op) {
      const start = performance.now();
      try {
        const value = await client.call(op.kind === 'write' ? 'POST' : 'GET', op.id, op.kind === 'write' ? op.payload : undefined, op.timeoutMs);
        return op.kind === 'read' ? { ok: true, start, end: performance.now(), value } : { ok: true, start, end: performance.now() };
      } catch (err) {
        return { ok: false, error: (err as NodeJS.ErrnoException).code ?? (err as Error).message, start, end: performance.now() };
      }
    },
    async close() {
      client.close();
    },
  };
}

t.test('a probe factory gets each path\'s proxy address and wraps the application\'s own client', async (t) => {
  const server = await startServer({ host: '127.0.0.1', port: 0, seed: '1' });
  t.teardown(() => server.close());
  const upstream = await demoUpstream(t, 'http');
  const scenarios = await builtinScenarios(['connection_recovery', 'no_cascading_failures']);
  const targets: ProbeTarget[] = [];
  const options = {
    proxyUrl: server.url,
    upstream: { address: upstream.address, ledger: async () => upstream.ledger() },
    scenarios,
    sameProcess: true,
  };

  const wrapped = await runScenarios({ ...options, probe: (target) => (targets.push(target), opsProbe(target)) });
  t.match(targets, [
    { host: '127.0.0.1', path: 'primary', scenario: 'connection_recovery' },
    { host: '127.0.0.1', path: 'primary', scenario: 'no_cascading_failures' },
    { host: '127.0.0.1', path: 'secondary', scenario: 'no_cascading_failures' },
  ], 'one call per path of each scenario');
  t.ok(targets.every((target) => target.port > 0), 'each with its proxy\'s port');
  t.not(targets[1]?.port, targets[2]?.port, 'every path has its own proxy');
  for (const r of wrapped) {
    t.match(r, { probe: 'ops-client', passed: true, data_lost: false, client: null, notes: [] }, `${r.test_name}: passes under the harness's retry and queue`);
    t.ok(r.retry_attempts > 0, `${r.test_name}: the harness retried (${r.retry_attempts})`);
  }
  t.ok((wrapped[0]?.windows[0]?.detection_ms ?? Infinity) < 500, 'the refused connect is seen at once');

  const own = await runScenarios({ ...options, scenarios: scenarios.slice(0, 1), probe: (target) => opsProbe(target, true) });
  const [r] = own;
  t.match(r, { retry_attempts: 0, data_lost: true, client: { policy: 'pass-through', budget_ms: 1650, paths: { primary: null } } },
    'with ownPolicy it runs pass-through: its failed writes are its own');
  t.match(r?.notes, [/^client driven pass-through/]);
  t.equal(r?.ledger.failed_not_applied.length, 5, 'the 5 writes refused during the partition');
  t.same(await (await fetch(`${server.url}/proxies`)).json(), {}, 'no proxy is left');
});
