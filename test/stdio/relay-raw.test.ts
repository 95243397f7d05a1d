/**
 * The stdio relay byte by byte: the relay (wrapping the demo MCP server over stdio) started with
 * raw pipes, so what reaches the client's side is seen exactly (a line cut in two, a byte limit,
 * a throttled answer), and the relay without a control API.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import t from 'tap';
import { apiServer, call } from '../helpers/api.js';
import { alive, BIN, faultline } from '../helpers/cli.js';
import { eventually } from '../helpers/net.js';
import { initializeLine, journalPath, rawRelay, relayArgs } from '../helpers/stdio.js';

/** Creates proxy `name` with `toxics` before any relay starts (the relay adopts it). */
async function proxyWith(server: { url: string }, name: string, toxics: object[]): Promise<void> {
  const made = await call(server, 'POST', '/proxies', { name, listen: '127.0.0.1:0', upstream: 'stdio:test', enabled: true });
  if (made.status !== 201) throw new Error(`create ${name}: ${made.text}`);
  for (const toxic of toxics) {
    const added = await call(server, 'POST', `/proxies/${name}/toxics`, toxic);
    if (added.status !== 200) throw new Error(`toxic: ${added.text}`);
  }
}

t.test('partial_line delivers the first bytes of the answer, then stalls; removing it completes the line', async (t) => {
  const server = await apiServer(t);
  await proxyWith(server, 'half', [{ name: 'half', type: 'partial_line', stream: 'downstream', attributes: { bytes: 10 } }]);
  const relay = rawRelay(t, relayArgs(server.url, 'half', journalPath(t)));
  relay.child.stdin.write(initializeLine());
  t.ok(await eventually(() => relay.stdout().length >= 10), 'the first 10 bytes arrive');
  t.ok(await eventually(() => /half: line cut after 10 bytes/.test(relay.stderr())), 'the relay says where it cut');
  await new Promise((r) => setTimeout(r, 300));
  t.equal(relay.stdout().length, 10, 'and nothing more while the toxic stays');
  t.notOk(relay.stdout().includes(0x0a), 'the line is incomplete');
  await call(server, 'DELETE', '/proxies/half/toxics/half');
  t.ok(await eventually(() => relay.stdout().includes(0x0a)), 'the rest arrives after the toxic is removed');
  const answer = JSON.parse(relay.stdout().toString('utf8'));
  t.equal(answer.id, 1, 'one whole JSON-RPC answer: nothing lost, nothing repeated');
  t.ok(answer.result.serverInfo, 'the initialize result');
  relay.child.stdin.end();
  t.equal((await relay.exited).code, 0, 'stdin EOF ends the server, and the relay with its code');
});

t.test('limit_data passes exactly its bytes, then closes both pipes and the relay exits', async (t) => {
  const server = await apiServer(t);
  await proxyWith(server, 'limited', [{ name: 'lim', type: 'limit_data', stream: 'downstream', attributes: { bytes: 20 } }]);
  const relay = rawRelay(t, relayArgs(server.url, 'limited', journalPath(t)));
  relay.child.stdin.write(initializeLine());
  const { code } = await relay.exited;
  t.equal(relay.stdout().length, 20, 'exactly 20 bytes reached the client');
  t.equal(code, 1, 'the relay exits with 1 after a cut');
  t.match(relay.stderr(), /cut \(limit_data\)/);
});

t.test('bandwidth throttles the answer to its rate', async (t) => {
  const server = await apiServer(t);
  await proxyWith(server, 'narrow', [{ name: 'bw', type: 'bandwidth', stream: 'downstream', attributes: { rate: 1 } }]);
  const relay = rawRelay(t, relayArgs(server.url, 'narrow', journalPath(t)));
  const start = performance.now();
  relay.child.stdin.write(initializeLine());
  t.ok(await eventually(() => relay.stdout().includes(0x0a), 20_000), 'the answer arrives whole');
  const bytes = relay.stdout().length;
  const took = performance.now() - start;
  // 1 KB/s is one byte per ms; allow for the first chunk passing at once.
  t.ok(took >= bytes * 0.8, `${bytes} bytes took ${Math.round(took)} ms`);
  t.doesNotThrow(() => JSON.parse(relay.stdout().toString('utf8')));
});

t.test('flaky (close, rate 1) cuts at the first chunk: both pipes close', async (t) => {
  const server = await apiServer(t);
  await proxyWith(server, 'shaky', [{ name: 'fl', type: 'flaky', stream: 'downstream', attributes: { rate: 1, action: 'close' } }]);
  const relay = rawRelay(t, relayArgs(server.url, 'shaky', journalPath(t)));
  relay.child.stdin.write(initializeLine());
  const { code } = await relay.exited;
  t.equal(code, 1);
  t.equal(relay.stdout().length, 0, 'nothing reached the client');
  t.match(relay.stderr(), /cut \(/);
});

t.test('a disabled proxy refuses: the relay exits with 1 before starting the server', async (t) => {
  const server = await apiServer(t);
  await proxyWith(server, 'off', []);
  await call(server, 'POST', '/proxies/off', { enabled: false });
  const relay = rawRelay(t, relayArgs(server.url, 'off', journalPath(t)));
  const { code } = await relay.exited;
  t.equal(code, 1);
  t.match(relay.stderr(), /refused: proxy off is disabled/);
  t.equal(relay.stdout().length, 0);
});

t.test('without a control API the relay relays faithfully and says so on stderr once', async (t) => {
  // A port that was free a moment ago: nothing answers there.
  const spare = createServer().listen(0, '127.0.0.1');
  await once(spare, 'listening');
  const { port } = spare.address() as { port: number };
  await new Promise((resolve) => spare.close(resolve));
  const relay = rawRelay(t, relayArgs(`http://127.0.0.1:${port}`, 'alone', journalPath(t)));
  relay.child.stdin.write(initializeLine(1));
  t.ok(await eventually(() => relay.stdout().includes(0x0a)), 'the initialize answer arrives');
  relay.child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) + '\n');
  t.ok(await eventually(() => relay.stdout().toString().split('\n').length >= 3));
  const lines = relay.stdout().toString('utf8').trim().split('\n').map((line) => JSON.parse(line));
  t.same(lines.map((m) => m.id), [1, 2], 'two answers, in order, nothing else on stdout');
  const notes = relay.stderr().trim().split('\n');
  t.equal(notes.length, 1, 'one line on stderr');
  t.match(notes[0], /cannot reach the control API at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\); relaying without faults/);
  relay.child.stdin.end();
  t.equal((await relay.exited).code, 0);
});

t.test('a relay told to stop (SIGTERM) ends its server too, even with bytes held by a stall', async (t) => {
  const server = await apiServer(t);
  await proxyWith(server, 'stopped', [{ name: 'bh', type: 'blackhole', stream: 'upstream', attributes: {} }]);
  const relay = rawRelay(t, relayArgs(server.url, 'stopped', journalPath(t)));
  relay.child.stdin.write(initializeLine());
  let serverPid: number | undefined;
  t.ok(
    await eventually(() => {
      serverPid = childOf(relay.child.pid as number);
      return serverPid !== undefined;
    }),
    'the server process runs',
  );
  relay.child.kill('SIGTERM');
  const { code } = await relay.exited;
  t.equal(code, 1, 'the relay exits with 1');
  t.match(relay.stderr(), /cut \(relay stopped\)/);
  t.ok(await eventually(() => !alive(serverPid as number)), 'and its server is gone');
});

/** The first child process of `pid`, if any (ps exits 1 when there is none). */
function childOf(pid: number): number | undefined {
  try {
    const [first] = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).trim().split(/\s+/);
    return first ? Number(first) : undefined;
  } catch {
    return undefined;
  }
}

t.test('faultline stdio without a command, or without --name, is a usage error naming what is missing', async (t) => {
  const noCommand = await faultline(['stdio', '--name', 'x', '--url', 'http://127.0.0.1:9']);
  t.equal(noCommand.code, 2);
  t.match(noCommand.stderr, /name the command to start after --/);
  t.equal(noCommand.stdout, '', 'nothing on stdout');
  const noName = await faultline(['stdio', '--', 'cat']);
  t.equal(noName.code, 2);
  t.match(noName.stderr, /Missing required argument: name/);
});

t.test('a command that cannot start: the relay says so and exits with 127', async (t) => {
  const server = await apiServer(t);
  const relay = rawRelay(t, [BIN, 'stdio', '--name', 'missing', '--url', server.url, '--', '/nonexistent/server']);
  const { code } = await relay.exited;
  t.equal(code, 127);
  t.match(relay.stderr(), /faultline stdio missing: cannot start \/nonexistent\/server: spawn \/nonexistent\/server ENOENT/);
  t.equal(relay.stdout().length, 0);
});
