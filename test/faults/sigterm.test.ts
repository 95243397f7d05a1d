import t from 'tap';
import { serverProcess } from '../helpers/cli.js';
import { assertTiming, watchLateness } from '../helpers/lateness.js';
import { loadGenerator } from '../helpers/load.js';
import { portOf } from '../helpers/net.js';

t.test('SIGTERM during heavy traffic: exit 0 within 5 s, and a second start on the same ports works at once', async (t) => {
  const load = await loadGenerator(t);
  const sink = await load.sink();
  const first = await serverProcess(t);
  const apiPort = Number(new URL(first.url).port);
  const create = (url: string, listen: string) =>
    fetch(`${url}/proxies`, { method: 'POST', body: JSON.stringify({ name: 'p', listen, upstream: `127.0.0.1:${sink}` }) }).then(
      (r) => r.json() as Promise<{ listen: string }>,
    );
  const { listen } = await create(first.url, '127.0.0.1:0');
  await fetch(`${first.url}/proxies/p/toxics`, {
    method: 'POST',
    body: JSON.stringify({ type: 'latency', stream: 'upstream', attributes: { latency: 20 } }),
  });
  await load.produce(portOf(listen), 100);
  let metrics = '';
  for (let waited = 0; waited < 10_000 && !/active_connections\{proxy="p"\} 100\b/.test(metrics); waited += 200) {
    await new Promise((r) => setTimeout(r, 200));
    metrics = await (await fetch(`${first.url}/metrics`)).text();
  }
  t.match(metrics, /faultline_proxy_active_connections\{[^}]*proxy="p"[^}]*\} 100\b/, '100 connections are streaming');

  const late = watchLateness(t);
  const start = performance.now();
  first.child.kill('SIGTERM');
  t.equal(await first.exited, 0, 'exit code 0');
  assertTiming(t, performance.now() - start, 0, 5000, late, 'exited under load (no 30 s graceful wait)');

  const second = await serverProcess(t, ['--port', String(apiPort)]);
  t.equal(Number(new URL(second.url).port), apiPort, 'the API port is free again at once');
  const again = await create(second.url, listen);
  t.equal(again.listen, listen, 'and so is the proxy port');
});
