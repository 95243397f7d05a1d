/**
 * The stdio relay on real processes: a real SDK client starts `faultline stdio` wrapping the demo
 * MCP server over stdio, and the toxics of its proxy, put on a real faultline server through the
 * API, act on the pipes.
 */
import t from 'tap';
import { readStdioCalls, readStdioLedger } from '../../harness/upstreams/mcp-stdio.js';
import { startServer } from '../../proxy/api/server.js';
import { apiServer, call } from '../helpers/api.js';
import { eventually } from '../helpers/net.js';
import { journalPath, stdioClient } from '../helpers/stdio.js';

const text = (result: unknown): string => ((result as { content: Array<{ text: string }> }).content[0] as { text: string }).text;

t.test('the relay registers its proxy, relays faithfully and writes nothing of its own to stdout', async (t) => {
  const server = await apiServer(t);
  const journal = journalPath(t);
  const { client, stderr } = await stdioClient(t, server.url, 'plain', journal);
  const proxy = await call(server, 'GET', '/proxies/plain');
  t.equal(proxy.status, 200, 'proxy plain exists on the server');
  t.match(proxy.json.upstream, /^stdio:/);
  for (let i = 0; i < 20; i++) {
    t.match(text(await client.callTool({ name: 'record', arguments: { id: `w${i}`, payload: `p${i}` } })), /"applied":1/);
  }
  t.equal(text(await client.callTool({ name: 'read', arguments: { id: 'w7' } })), 'p7');
  t.equal(readStdioLedger(journal).size, 20, 'the journal has every write once');
  t.notMatch(stderr(), /cannot reach/);
});

t.test('slicer on both pipes: every JSON-RPC line is split across many writes and the client and the server still frame each message', async (t) => {
  const server = await apiServer(t);
  const { client, note } = await stdioClient(t, server.url, 'sliced', journalPath(t));
  for (const stream of ['upstream', 'downstream']) {
    const body = { name: `slice_${stream}`, type: 'slicer', stream, attributes: { average_size: 3, size_variation: 2, delay: 0 } };
    t.equal((await call(server, 'POST', '/proxies/sliced/toxics', body)).status, 200);
    t.ok(await note(new RegExp(`toxic slice_${stream} added`)), `the relay applied the slicer on ${stream}`);
  }
  const payload = 'x'.repeat(2000);
  t.match(text(await client.callTool({ name: 'record', arguments: { id: 'big', payload } })), /"applied":1/);
  t.equal(text(await client.callTool({ name: 'read', arguments: { id: 'big' } })), payload, 'a 2 kB answer arrives whole');
  const listed = await client.listTools();
  t.same(listed.tools.map((tool) => tool.name).sort(), ['read', 'record', 'stream']);
});

t.test('latency delays each answer by at least its latency', async (t) => {
  const server = await apiServer(t);
  const { client, note } = await stdioClient(t, server.url, 'slow', journalPath(t));
  await call(server, 'POST', '/proxies/slow/toxics', { name: 'lat', type: 'latency', stream: 'downstream', attributes: { latency: 300 } });
  t.ok(await note(/toxic lat added/));
  const start = performance.now();
  await client.callTool({ name: 'record', arguments: { id: 'a', payload: 'b' } });
  t.ok(performance.now() - start >= 295, `took ${Math.round(performance.now() - start)} ms`);
  await call(server, 'DELETE', '/proxies/slow/toxics/lat');
  t.ok(await note(/toxic lat removed/));
});

t.test('drop closes both pipes: the client sees the server process end; a new relay is refused while it stays', async (t) => {
  const server = await apiServer(t);
  const journal = journalPath(t);
  const first = await stdioClient(t, server.url, 'dropped', journal);
  const pending = first.client.callTool({ name: 'stream', arguments: { id: 's', payload: 'p', steps: 50, interval_ms: 100 } }).then(
    () => 'answered',
    (err: Error) => err.message,
  );
  await new Promise((r) => setTimeout(r, 200));
  await call(server, 'POST', '/proxies/dropped/toxics', { name: 'cut', type: 'drop', stream: 'downstream', attributes: { mode: 'reset' } });
  await first.closed;
  t.match(await pending, /Connection closed/, 'the call in flight fails: connection closed');
  t.match(first.stderr(), /cut \(drop \(reset\)\): both pipes closed/);
  t.notOk(readStdioLedger(journal).has('s'), 'the dropped call was never applied');
  const refused = await stdioClient(t, server.url, 'dropped', journal).then(
    () => 'connected',
    (err: Error) => err.message,
  );
  t.not(refused, 'connected', `a relay started under drop does not connect (${refused})`);
  await call(server, 'DELETE', '/proxies/dropped/toxics/cut');
  const again = await stdioClient(t, server.url, 'dropped', journal);
  t.match(text(await again.client.callTool({ name: 'record', arguments: { id: 'after', payload: 'x' } })), /"applied":1/, 'after the heal a new relay works');
});

t.test('blackhole stalls both pipes; on heal the held request and its answer flow: nothing lost, nothing replayed', async (t) => {
  const server = await apiServer(t);
  const journal = journalPath(t);
  const { client, note } = await stdioClient(t, server.url, 'hole', journal);
  for (const stream of ['upstream', 'downstream']) {
    await call(server, 'POST', '/proxies/hole/toxics', { name: `bh_${stream}`, type: 'blackhole', stream, attributes: {} });
  }
  t.ok(await note(/toxic bh_downstream added/));
  const answer = client.callTool({ name: 'record', arguments: { id: 'held', payload: 'v' } }, undefined, { timeout: 30_000 });
  await new Promise((r) => setTimeout(r, 400));
  t.notOk(readStdioLedger(journal).has('held'), 'the request is held: not applied while black-holed');
  for (const stream of ['upstream', 'downstream']) await call(server, 'DELETE', `/proxies/hole/toxics/bh_${stream}`);
  t.match(text(await answer), /"applied":1/, 'the held request is answered after the heal');
  t.equal(readStdioLedger(journal).get('held'), 1, 'applied exactly once');
  t.match(text(await client.callTool({ name: 'read', arguments: { id: 'held' } })), 'v', 'the stream carries on framed');
});

t.test('kill signals the server process: the client sees it exit; the ledger says what was applied', async (t) => {
  const server = await apiServer(t);
  const journal = journalPath(t);
  const { client, closed, stderr } = await stdioClient(t, server.url, 'crash', journal);
  let progress = 0;
  const pending = client
    .callTool({ name: 'stream', arguments: { id: 'long', payload: 'p', steps: 40, interval_ms: 50 } }, undefined, { onprogress: () => void progress++ })
    .then(() => 'answered', (err: Error) => err.message);
  t.ok(await eventually(() => progress >= 3), 'three progress steps arrived');
  await call(server, 'POST', '/proxies/crash/toxics', { name: 'boom', type: 'kill', stream: 'downstream', attributes: {} });
  await closed;
  t.match(await pending, /Connection closed/);
  t.match(stderr(), /boom: kill \(SIGKILL\)/);
  t.notOk(readStdioLedger(journal).has('long'), 'the killed call applied nothing');
  const calls = readStdioCalls(journal)?.calls ?? [];
  t.equal(calls.length, 1, 'the call ledger has the call');
  t.ok((calls[0]?.steps.length ?? 0) >= 3, 'with the steps done before the crash');
  t.equal(calls[0]?.completed_at, null, 'and no completion');
});

t.test('the control API going away leaves the toxics as they were: the relay goes on relaying through them', async (t) => {
  const server = await startServer({ port: 0, seed: 'test' });
  let closed = false;
  t.teardown(() => (closed ? undefined : server.close()));
  const { client, note, stderr } = await stdioClient(t, server.url, 'orphan', journalPath(t));
  await call(server, 'POST', '/proxies/orphan/toxics', { name: 'lat', type: 'latency', stream: 'downstream', attributes: { latency: 200 } });
  t.ok(await note(/toxic lat added/));
  await server.close();
  closed = true;
  const start = performance.now();
  t.match(text(await client.callTool({ name: 'record', arguments: { id: 'after', payload: 'x' } })), /"applied":1/, 'calls still work');
  t.ok(performance.now() - start >= 195, `and are still delayed (${Math.round(performance.now() - start)} ms)`);
  t.notMatch(stderr(), /toxic lat removed/, 'the toxic was not dropped');
});
