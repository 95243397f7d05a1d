import t from 'tap';
import { Toxiproxy } from 'toxiproxy-node-client';
import { startServer, type RunningServer } from 'faultline';
import { builtinScenarios, runScenarios, startHttpUpstream, type ScenarioResult } from 'faultline/harness';
import { dial, echoServer, portOf, roundTrip } from './helpers/net.js';

t.test("import { startServer } from 'faultline' runs a server in-process that Toxiproxy clients drive", async (t) => {
  const server: RunningServer = await startServer({ port: 0 });
  t.teardown(() => server.close());
  t.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const client = new Toxiproxy(server.url);
  const proxy = await client.createProxy({ name: 'db', listen: '127.0.0.1:0', upstream: `127.0.0.1:${await echoServer(t)}` });
  await proxy.addToxic({ name: 'lag', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 100, jitter: 0 } });
  t.ok((await roundTrip(await dial(t, portOf(proxy.listen)), 'x')) >= 99, 'the toxic is live');
});

t.test("import { runScenarios } from 'faultline/harness' runs scenarios from code and returns the results", async (t) => {
  const server = await startServer({ port: 0, seed: '1' });
  t.teardown(() => server.close());
  const http = await startHttpUpstream();
  t.teardown(() => http.close());
  const results: ScenarioResult[] = await runScenarios({
    proxyUrl: server.url,
    probe: 'http',
    upstream: { address: http.address, ledger: async () => http.ledger() },
    scenarios: await builtinScenarios(['connection_recovery']),
  });
  t.equal(results.length, 1);
  t.match(results[0], { test_name: 'connection_recovery', passed: true, data_lost: false, ledger: { checked: true } });
});

t.test("require('faultline') works from CommonJS (Node >= 20.19 loads the ES module)", async (t) => {
  const { execFile } = await import('node:child_process');
  const script = new URL('./fixtures/require-faultline.cjs', import.meta.url).pathname;
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, [script], (err, out, err2) => (err ? reject(new Error(`${err.message}\n${err2}`)) : resolve(out))),
  );
  t.match(JSON.parse(stdout), { url: /^http:\/\/127\.0\.0\.1:\d+$/, runScenarios: 'function', scenario: 'connection_recovery' });
});
