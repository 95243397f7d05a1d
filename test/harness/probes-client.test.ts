import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { ANSWER_GRACE_MS, ClientProbe } from '../../harness/probes/client.js';
import type { ClientEvent, Operation, TransportEvent } from '../../harness/probes/probe.js';
import { alive } from '../helpers/cli.js';
import { assertTiming, watchLateness } from '../helpers/lateness.js';

/** Each client is a small ES module written to a temporary folder; `lines` is its stdin, line by line. */
const PRELUDE = `
import { createInterface } from 'node:readline';
const say = (m) => process.stdout.write(JSON.stringify(m) + '\\n');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator](); // buffers lines from now on
`;

let dir: string;
t.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'faultline-clients-'));
});
t.teardown(() => rm(dir, { recursive: true, force: true }));

let n = 0;
/** A client probe running `body` (after the prelude), closed at teardown. */
async function client(t: Test, body: string, options: { startupMs?: number } = {}): Promise<ClientProbe> {
  const file = join(dir, `client-${++n}.mjs`);
  await writeFile(file, PRELUDE + body);
  const probe = new ClientProbe({ command: `node ${file}`, target: { host: '127.0.0.1', port: 4321, path: 'primary', scenario: 'unit' }, ...options });
  t.teardown(() => probe.close());
  await probe.open();
  return probe;
}

const op = (id: string, timeoutMs = 2000, kind: Operation['kind'] = 'write'): Operation => ({ id, kind, payload: `payload of ${id}`, timeoutMs });

t.test('the client gets its target, path and scenario, and each operation as one JSON line', async (t) => {
  const probe = await client(t, `
for await (const line of lines) {
  const op = JSON.parse(line);
  const env = [process.env.FAULTLINE_TARGET, process.env.FAULTLINE_PATH, process.env.FAULTLINE_SCENARIO].join(' ');
  say({ id: op.id, ok: true, value: env + ' | ' + line });
}`);
  const attempt = await probe.send(op('w1', 1500, 'read'));
  t.equal(attempt.ok, true);
  const [env, line] = (attempt.value ?? '').split(' | ');
  t.equal(env, '127.0.0.1:4321 primary unit');
  t.same(JSON.parse(line ?? ''), { id: 'w1', kind: 'read', payload: 'payload of w1', timeout_ms: 1500 });
});

/** A client that answers \`up\` at once, holds the first other operation, answers the next with an error, and the held one 150 ms later. */
const HOLDS_THE_FIRST = `
say({ event: 'ready' });
let held;
for await (const line of lines) {
  const op = JSON.parse(line);
  if (op.id === 'up') { say({ id: op.id, ok: true }); continue; }
  if (!held) { held = op; continue; }
  say({ id: op.id, ok: false, error: 'ECONNRESET' });
  await sleep(150);
  say({ id: held.id, ok: true });
}`;

t.test('answers may come in any order; each operation is timed from its line to its answer', async (t) => {
  const probe = await client(t, HOLDS_THE_FIRST);
  // Once it has answered, the client is up: its \`ready\` line, read late on a busy machine, cannot restart these clocks.
  t.match(await probe.send(op('up')), { ok: true }, 'the client is up');
  const [first, second] = await Promise.all([probe.send(op('a')), probe.send(op('b'))]);
  t.match(first, { ok: true });
  t.match(second, { ok: false, error: 'ECONNRESET' });
  t.ok(second.end < first.end, 'the second was answered first');
  t.ok(first.end - first.start >= 150 - 5, `the held one took its time (${(first.end - first.start).toFixed(0)} ms)`);
  t.match(probe.external(), { answers: 3, late_answers: 0 });
});

t.test('before the client is up only the first operation is written; the rest are timed from their write once it is', async (t) => {
  const probe = await client(t, HOLDS_THE_FIRST);
  // Both sent at once, then the harness is busy for a second: the client starts, prints \`ready\`
  // and waits for a second line, while \`ready\` waits in the pipe. Written at once, the second
  // would be answered during the busy second and the held one 150 ms later, both before the
  // late-read \`ready\` restarted their clocks: 0 ms each.
  const both = Promise.all([probe.send(op('a')), probe.send(op('b'))]);
  for (const until = performance.now() + 1000; performance.now() < until; );
  const [first, second] = await both;
  t.match(first, { ok: true });
  t.match(second, { ok: false, error: 'ECONNRESET' });
  t.ok(first.end - first.start >= 150 - 5, `the held one took its time: ${(first.end - first.start).toFixed(0)} ms, not less than the client held it`);
  t.ok(second.start >= first.start, 'the second was written once the client was up');
});

t.test('no answer within the budget is a timeout; the late answer is kept, not dropped', async (t) => {
  const probe = await client(t, `
say({ event: 'ready' });
for await (const line of lines) {
  const op = JSON.parse(line);
  if (op.id === 'slow') setTimeout(() => say({ id: op.id, ok: true }), 100 + ${ANSWER_GRACE_MS} + 300);
  else say({ id: op.id, ok: true });
}`);
  const late = new Promise<ClientEvent>((resolve) => probe.watchClient(resolve));
  t.match(await probe.send(op('fast', 100)), { ok: true }, 'the client is up');
  const watch = watchLateness(t);
  const attempt = await probe.send(op('slow', 100));
  t.match(attempt, { ok: false, error: 'timeout' });
  const took = attempt.end - attempt.start;
  assertTiming(t, took, 100 + ANSWER_GRACE_MS - 5, 100 + ANSWER_GRACE_MS, watch, 'timed out after the budget and the grace');
  const event = await late;
  t.match(event, { event: 'late_answer', id: 'slow', ok: true });
  t.ok((event.lateMs ?? 0) >= ANSWER_GRACE_MS + 300 - 50, `late by ${event.lateMs?.toFixed(0)} ms past the budget`);
  t.match(probe.external(), { answers: 1, late_answers: 1 });
});

t.test('"disconnected" is a transport event; "reconnected" goes to the client events; "ready" restarts the clock', async (t) => {
  const probe = await client(t, `
await sleep(300);
say({ event: 'ready' });
for await (const line of lines) {
  const op = JSON.parse(line);
  say({ event: 'disconnected', detail: 'ECONNRESET on the kept connection' });
  say({ event: 'reconnected' });
  say({ id: op.id, ok: true });
}`);
  const transport: TransportEvent[] = [];
  const events: ClientEvent[] = [];
  probe.watchTransport((e) => transport.push(e));
  probe.watchClient((e) => events.push(e));
  const written = performance.now();
  const attempt = await probe.send(op('w', 200));
  t.equal(attempt.ok, true, 'the start-up (300 ms) is not held against the 200 ms budget');
  t.ok(attempt.start >= written + 300 - 5, 'the operation is timed from the ready line');
  t.ok(attempt.end - attempt.start < 300, `and took ${(attempt.end - attempt.start).toFixed(0)} ms, less than the start-up`);
  t.match(transport, [{ kind: 'disconnected', detail: 'ECONNRESET on the kept connection' }]);
  t.match(events, [{ event: 'reconnected' }]);
  t.match(probe.external(), { disconnects: 1, reconnects: 1 });
});

t.test('a line that is not the protocol is fatal, quoted, and fails what is waiting at once', async (t) => {
  const probe = await client(t, `
for await (const line of lines) say({ id: JSON.parse(line).id, ok: 'yes' });`);
  const attempt = await probe.send(op('w', 5000));
  t.match(attempt, { ok: false, error: 'client failed' });
  t.ok(attempt.end - attempt.start < 2000, 'without waiting for the budget');
  t.equal(probe.fatal(), 'client primary: wrote a line that is not the protocol ("ok" must be true or false): "{\\"id\\":\\"w\\",\\"ok\\":\\"yes\\"}"');
  t.match(await probe.send(op('next')), { ok: false, error: 'client failed' }, 'and nothing more is sent');
});

t.test('an answer to an id never sent is fatal', async (t) => {
  const probe = await client(t, `
for await (const line of lines) say({ id: 'not-' + JSON.parse(line).id, ok: true });`);
  await probe.send(op('w', 5000));
  t.match(probe.fatal(), /^client primary: answered an id it was never sent \(or answered it twice\): "\{\\"id\\":\\"not-w\\",\\"ok\\":true\}"$/);
});

t.test('a client that exits during the run is fatal, with its exit code and last stderr line', async (t) => {
  const probe = await client(t, `
for await (const line of lines) { process.stderr.write('about to fail\\n'); process.exit(7); }`);
  const attempt = await probe.send(op('w', 5000));
  t.match(attempt, { ok: false, error: 'client failed' });
  t.equal(probe.fatal(), 'client primary: exited with code 7 during the run; its last stderr line: "about to fail"');
  await probe.close();
  t.match(probe.external(), { exit_code: 7, stopped_by: 'itself', failure: probe.fatal(), stderr: 'about to fail' });
});

t.test('a client that never answers fails at its first timeout (after its start-up allowance)', async (t) => {
  const probe = await client(t, `process.stdin.resume();`, { startupMs: 200 });
  const watch = watchLateness(t);
  const attempt = await probe.send(op('w', 100));
  t.match(attempt, { ok: false, error: 'timeout' });
  const took = attempt.end - attempt.start;
  assertTiming(t, took, 100 + ANSWER_GRACE_MS + 200 - 5, 100 + ANSWER_GRACE_MS + 200, watch, 'after budget + grace + start-up');
  t.match(probe.fatal(), /^client primary: never answered: no answer to its first operation within \d+ ms \(does it flush stdout after each line\?\): "\{\\"id\\":\\"w\\"/);
});

t.test('close: stdin EOF ends a well-behaved client; one that ignores EOF and SIGTERM is killed, its group with it', async (t) => {
  const polite = await client(t, `
say({ event: 'ready' });
for await (const line of lines) say({ id: JSON.parse(line).id, ok: true, value: String(process.pid) });
process.stderr.write('bye\\n');`);
  const pid = Number((await polite.send(op('w'))).value);
  await polite.close();
  t.match(polite.external(), { exit_code: 0, stopped_by: 'eof', unanswered: 0, stderr: 'bye' });
  t.notOk(alive(pid), 'the client is gone');

  const stubborn = await client(t, `
process.on('SIGTERM', () => process.stderr.write('ignoring SIGTERM\\n'));
say({ event: 'ready' });
for await (const line of lines) say({ id: JSON.parse(line).id, ok: true, value: String(process.pid) });
setInterval(() => undefined, 1000);`);
  const stubbornPid = Number((await stubborn.send(op('w'))).value);
  const started = performance.now();
  await stubborn.close();
  const took = performance.now() - started;
  t.match(stubborn.external(), { signal: 'SIGKILL', stopped_by: 'sigkill', stderr: /ignoring SIGTERM/ });
  t.ok(took >= 4000 - 50 && took < 4000 + 1500, `EOF, 2 s, SIGTERM, 2 s, SIGKILL (${took.toFixed(0)} ms)`);
  t.notOk(alive(stubbornPid), 'the client is gone');
});
