import { execFileSync, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import t from 'tap';
import { BIN } from '../helpers/cli.js';
import { echoServer, portOf, roundTrip } from '../helpers/net.js';

t.test('out of file descriptors: accept and dial errors are logged (once a second) and survived', async (t) => {
  const upstream = await echoServer(t);
  // Started with the usual limit (loading its modules opens many files at once, and tap's loader
  // hooks more), then held to 40 descriptors more than it holds once it is up.
  const child = spawn(process.execPath, [BIN, 'server', '--port', '0', '--log-level', 'info']);
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  t.teardown(() => {
    child.kill('SIGKILL');
    return exited;
  });
  // Up to 60 s: a server process can take many seconds to start on a loaded machine.
  let gone = false;
  void exited.then(() => (gone = true));
  for (let i = 0; i < 1200 && !gone && !/server ready/.test(output); i++) await new Promise((r) => setTimeout(r, 50));
  const url = /"url":"([^"]+)"/.exec(output)?.[1] as string;
  if (!t.ok(url, 'the server started', { output })) return;
  // A POST on a connection of its own that closes once answered: a keep-alive socket the API
  // thread closed later would free a descriptor in the middle of the count below.
  const created = await new Promise<{ listen: string }>((resolve, reject) => {
    const body = JSON.stringify({ name: 'p', listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstream}` });
    const req = request(`${url}/proxies`, { method: 'POST', agent: false, headers: { connection: 'close' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve(JSON.parse(text) as { listen: string }));
    });
    req.on('error', reject);
    req.end(body);
  });
  const port = portOf(created.listen);
  // 20 connections' worth of descriptors left (each takes two: accepted, dialled): a later dial
  // finds none (EMFILE, logged). Measured: with an odd number left, no dial fails; the accept
  // that finds none is shed by libuv (it closes the connection) without telling Node, so nothing
  // can log it. So the count is taken once it has stood still (a socket closing in the server
  // changes it), and a squeeze that logs nothing is tried again with the other parity. The soft
  // limit only: the server gets its descriptors back afterwards.
  const soft = execFileSync('prlimit', ['--pid', String(child.pid), '--nofile', '--raw', '--noheadings', '--output=SOFT']).toString().trim();
  const flood: Socket[] = [];
  const tries: string[] = [];
  const settledCount = async (): Promise<number> => {
    let last = -1;
    for (let same = 0, i = 0; same < 3 && i < 100; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const now = readdirSync(`/proc/${child.pid}/fd`).length;
      same = now === last ? same + 1 : 0;
      last = now;
    }
    return last;
  };
  const squeeze = async (extra: number): Promise<boolean> => {
    const open = await settledCount();
    execFileSync('prlimit', ['--pid', String(child.pid), `--nofile=${open + extra}:`]);
    for (let i = 0; i < 120; i++) {
      const socket = connect({ host: '127.0.0.1', port });
      socket.on('error', () => undefined);
      flood.push(socket);
    }
    for (let waited = 0; waited < 5_000 && !/EMFILE/.test(output); waited += 50) await new Promise((r) => setTimeout(r, 50));
    tries.push(`${open} open + ${extra}: ${/EMFILE/.test(output) ? 'logged' : 'nothing'}`);
    return /EMFILE/.test(output);
  };
  const release = async (): Promise<void> => {
    for (const socket of flood.splice(0)) socket.destroy();
    execFileSync('prlimit', ['--pid', String(child.pid), `--nofile=${soft}:`]);
  };
  for (const extra of [40, 41, 40, 41]) {
    if (await squeeze(extra)) break;
    await release();
  }
  await new Promise((r) => setTimeout(r, 1500));
  t.comment(`squeezes: ${tries.join('; ')}`);
  t.match(output, /EMFILE/, 'the shortage is logged', { tries });
  const lines = output.split('\n').filter((l) => /EMFILE/.test(l)).length;
  t.ok(lines <= 6, `logged ${lines} lines for a burst of failures, not one per connection`);

  await release();
  const socket = connect({ host: '127.0.0.1', port });
  await new Promise((r) => socket.once('connect', r));
  t.ok((await roundTrip(socket, 'after')) >= 0, 'once descriptors are free, new connections are served');
  socket.destroy();
  t.equal((await fetch(`${url}/version`)).status, 200, 'and the API answers');
  t.equal(child.exitCode, null, 'the server never exited');
});
