#!/usr/bin/env node
// A faultline client adapter in Node, no dependencies: fetch (keep-alive by default) with its own
// retry and an outbox, against faultline's demo HTTP service (POST /ops/{id} applies a write,
// GET /ops/{id} reads it back). A write that fails every attempt is answered as failed and kept in
// the outbox, which is sent again after the next success and once more when stdin closes: no
// write is given up (a re-sent write the server had applied shows up as duplicated in its
// ledger). faultline starts it once per path with FAULTLINE_TARGET=host:port, writes one JSON
// operation per line on stdin and reads one JSON answer per line on stdout. Operations run
// concurrently, so answers may come in any order. Put your own client's calls in attempt().
//
//   faultline run --client "node examples/clients/node-client.mjs" --upstream 127.0.0.1:8080 ...
import { createInterface } from 'node:readline';

const base = `http://${process.env.FAULTLINE_TARGET}`;
const ATTEMPTS = 3;
const BACKOFF_MS = 50;
const OUTBOX_TIMEOUT_MS = 500;
let broken = false; // the transport failed: the next success is a reconnect
const outbox = new Map(); // id → a write that failed, to send again
let flushing; // the outbox flush in progress, if any

const say = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A short error kind: `timeout`, an errno code (ECONNRESET, ECONNREFUSED), `closed`, or the message. */
function errorKind(err) {
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'timeout';
  const code = err.cause?.code ?? err.code;
  if (code === 'UND_ERR_SOCKET') return 'closed'; // the peer closed the connection mid-request
  return typeof code === 'string' ? code : String(err.message).slice(0, 60);
}

/** One HTTP request for `op`, given up at `deadline` (ms since the epoch). */
async function attempt(op, deadline) {
  const url = `${base}/ops/${encodeURIComponent(op.id)}`;
  const signal = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
  const init = op.kind === 'write' ? { method: 'POST', body: op.payload, headers: { 'content-type': 'text/plain' }, signal } : { signal };
  const res = await fetch(url, init);
  return { status: res.status, text: await res.text() };
}

/** Sends the outbox again, oldest first; stops at the first failure (the next success tries again). */
function flush() {
  flushing ??= (async () => {
    for (const op of outbox.values()) {
      const sent = await attempt(op, Date.now() + OUTBOX_TIMEOUT_MS).then((r) => r.status < 300, () => false);
      if (!sent) break;
      outbox.delete(op.id);
    }
  })().finally(() => (flushing = undefined));
  return flushing;
}

async function handle(op) {
  const answer = await send(op);
  if (answer.ok) void flush();
  else if (op.kind === 'write') outbox.set(op.id, op);
  return answer;
}

async function send(op) {
  const deadline = Date.now() + op.timeout_ms;
  let error = 'timeout';
  for (let i = 0; i < ATTEMPTS && Date.now() < deadline; i++) {
    if (i > 0) await sleep(Math.min(BACKOFF_MS * 2 ** (i - 1), Math.max(0, deadline - Date.now())));
    try {
      const { status, text } = await attempt(op, deadline);
      if (broken) {
        broken = false;
        say({ event: 'reconnected' });
      }
      if (status >= 300) return { id: op.id, ok: false, error: `http ${status}` };
      return op.kind === 'read' ? { id: op.id, ok: true, value: text } : { id: op.id, ok: true };
    } catch (err) {
      error = errorKind(err);
      if (error === 'timeout') break; // silence: a write may still land, so it is not sent again
      if (!broken) {
        broken = true;
        say({ event: 'disconnected', detail: error });
      }
    }
  }
  return { id: op.id, ok: false, error };
}

// Warmed up before it says it is ready (fetch loads its HTTP stack and opens a keep-alive
// connection on first use: about 110-170 ms here), so the first operation times a request, not a
// cold start. Any answer will do, and none: the first operation then pays for it.
await fetch(`${base}/health`, { signal: AbortSignal.timeout(2000) }).then((r) => r.arrayBuffer(), () => undefined);
say({ event: 'ready' });
const pending = new Set();
for await (const line of createInterface({ input: process.stdin })) {
  const answer = handle(JSON.parse(line)).then(say);
  pending.add(answer);
  void answer.finally(() => pending.delete(answer));
}
// stdin closed at the end of the scenario: answer what is open, deliver the outbox (faultline
// allows 2 s before SIGTERM), then exit.
await Promise.all(pending);
const stop = Date.now() + 1500;
while (outbox.size > 0 && Date.now() < stop) await flush().then(() => outbox.size > 0 && sleep(50));
process.exit(0);
