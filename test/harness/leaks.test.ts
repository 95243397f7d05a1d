import t, { type Test } from 'tap';
import { Controller } from '../../harness/controller.js';
import type { Probe } from '../../harness/probes/probe.js';
import { TcpProbe } from '../../harness/probes/tcp.js';
import { runScenario } from '../../harness/runner.js';
import { parseScenario } from '../../harness/scenario.js';
import { startServer } from '../../proxy/api/server.js';
import { demoUpstream } from '../helpers/harness.js';

const scenario = parseScenario(
  { name: 'leaky', type: 'Leaky', title: 'Leaky', steps: [{ send: 2 }, { partition: { mode: 'drop' } }, { send: 1 }, { heal: {} }, { send: 2 }], expect: { no_leaks: true } },
  'test',
);

async function run(t: Test, leaky: boolean) {
  const server = await startServer({ host: '127.0.0.1', port: 0 });
  t.teardown(() => server.close());
  const upstream = await demoUpstream(t, 'tcp');
  const controller = new Controller(server.url, { sameClock: true });
  await controller.connect();
  t.teardown(() => controller.close());
  const listen = await controller.ensureProxy('leaky', upstream.address);
  const tcp = new TcpProbe({ host: '127.0.0.1', port: Number(listen.split(':').at(-1)) });
  t.teardown(() => tcp.close());
  // A client that forgets to close its connection: close() does nothing.
  const probe: Probe = leaky
    ? {
        kind: tcp.kind,
        label: tcp.label,
        open: () => tcp.open(),
        send: (op) => tcp.send(op),
        watchTransport: (listener) => tcp.watchTransport(listener),
        openSockets: () => tcp.openSockets(),
        close: async () => undefined,
      }
    : tcp;
  return runScenario({ scenario, paths: { primary: { controller, proxy: 'leaky', probe } }, runId: 'l', seed: '1' });
}

t.test('a probe that leaves its connection open fails no_leaks: its socket and the proxy’s connection are counted', async (t) => {
  const result = await run(t, true);
  t.equal(result.leaks?.leaked, true);
  t.equal(result.leaks?.probe_sockets, 1, 'the probe’s socket is still open');
  t.equal(result.leaks?.proxy_connections, 1, 'and the proxy still carries its connection');
  t.equal(result.passed, false);
  t.match(result.error_message, /leaked: 1 probe socket\(s\) still open, 1 proxy connection\(s\) still live/);
});

t.test('a probe that closes leaves nothing behind', async (t) => {
  const result = await run(t, false);
  t.same({ ...result.leaks, before: undefined, after: undefined }, { before: undefined, after: undefined, probe_sockets: 0, proxy_connections: 0, leaked: false });
  t.equal(result.passed, true, result.error_message ?? '');
});
