/**
 * The load generator's process (started by loadgen.ts, never by tap): upstream servers and
 * clients, so that the proxy process carries only the proxy's work. Every stream it sends is
 * sequence-numbered and checked where it arrives.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { serve } from './rpc.js';
import { SequenceChecker, words } from './sequence.js';

if (!process.send) {
  process.stderr.write('loadgen-child.ts is started by loadgen.ts, over IPC\n');
  process.exit(2);
}

/** What the generator has seen so far (see LoadStats in loadgen.ts). */
const stats = {
  upstream: { connections: 0, bytes: 0, errors: 0 },
  stream: { connects: 0, refused: 0, closed: 0, sent: 0, echoed: 0, deferred: 0, errors: 0 },
  samples: [] as string[],
};

const servers = new Set<Server>();
const sockets = new Set<Socket>();

function track(socket: Socket): Socket {
  sockets.add(socket);
  socket.once('close', () => sockets.delete(socket));
  socket.on('error', () => undefined);
  return socket;
}

function fail(message: string): void {
  if (stats.samples.length < 10) stats.samples.push(message);
}

function listen(onSocket: (s: Socket) => void): Promise<number> {
  const server = createServer((s) => onSocket(track(s)));
  servers.add(server);
  return new Promise((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => resolve((server.address() as { port: number }).port)));
}

/** An upstream that checks each connection's sequence and echoes it back, with backpressure. */
function echo(): Promise<number> {
  return listen((s) => {
    stats.upstream.connections++;
    const checker = new SequenceChecker();
    let reported = false;
    s.on('data', (chunk: Buffer) => {
      checker.push(chunk);
      stats.upstream.bytes += chunk.length;
      if (checker.error !== undefined && !reported) {
        reported = true;
        stats.upstream.errors++;
        fail(`upstream: ${checker.error}`);
      }
      if (!s.write(chunk)) {
        s.pause();
        s.once('drain', () => s.resume());
      }
    });
  });
}

/** An upstream that reads and discards everything. */
function sink(): Promise<number> {
  return listen((s) => s.resume());
}

let nextId = 1;

/** A paced, reconnecting client whose echo is checked. */
interface Streamer {
  socket: Socket | undefined;
  connected: boolean;
  id: number;
  next: number;
  echo: SequenceChecker;
}

let streaming: { timer: NodeJS.Timeout | undefined; streamers: Streamer[]; stopped: boolean } | undefined;

/**
 * `count` clients of `port`, each writing `rate` bytes/s of its sequence in one write every
 * `periodMs` (the clients spread over the period), checking the echo. A closed client reconnects
 * after 100 to 1000 ms (jittered, as clients back off) with a new stream.
 */
function stream(m: { port: number; count: number; rate: number; periodMs: number }): void {
  const tickMs = 10;
  const slots = Math.max(1, Math.round(m.periodMs / tickMs));
  const perWrite = Math.max(4, Math.round((m.rate * m.periodMs) / 1000 / 4) * 4);
  const streamers: Streamer[] = [];
  const state: { timer: NodeJS.Timeout | undefined; streamers: Streamer[]; stopped: boolean } = { timer: undefined, streamers, stopped: false };
  const open = (st: Streamer): void => {
    st.id = nextId++;
    st.next = 0;
    st.connected = false;
    st.echo = new SequenceChecker(st.id);
    const socket = track(connect({ port: m.port, host: '127.0.0.1', noDelay: true }));
    st.socket = socket;
    socket.once('connect', () => {
      st.connected = true;
      stats.stream.connects++;
    });
    socket.on('data', (chunk: Buffer) => {
      const before = st.echo.error;
      st.echo.push(chunk);
      if (before === undefined && st.echo.error !== undefined) {
        stats.stream.errors++;
        fail(`echo: ${st.echo.error}`);
      }
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') stats.stream.refused++;
    });
    socket.once('close', () => {
      stats.stream.echoed += st.echo.bytes;
      if (st.connected) stats.stream.closed++;
      st.socket = undefined;
      st.connected = false;
      if (!state.stopped) setTimeout(() => open(st), 100 + Math.random() * 900);
    });
  };
  for (let i = 0; i < m.count; i++) {
    const st: Streamer = { socket: undefined, connected: false, id: 0, next: 0, echo: new SequenceChecker(0) };
    streamers.push(st);
    setTimeout(() => open(st), Math.random() * 1000);
  }
  let tick = 0;
  state.timer = setInterval(() => {
    const slot = tick++ % slots;
    for (let i = slot; i < streamers.length; i += slots) {
      const st = streamers[i] as Streamer;
      const s = st.socket;
      if (!s || !st.connected || !s.writable) continue;
      if (s.writableLength >= 64 * 1024) {
        stats.stream.deferred++;
        continue;
      }
      s.write(words(st.id, st.next, perWrite));
      st.next += perWrite / 4;
      stats.stream.sent += perWrite;
    }
  }, tickMs);
  streaming = state;
}

/** Stops the streamers: no more writes, `drainMs` for echoes in flight, then FIN (destroy after 3 s). */
async function streamStop(m: { drainMs: number }): Promise<typeof stats> {
  const state = streaming;
  if (!state) return stats;
  state.stopped = true;
  clearInterval(state.timer);
  await new Promise((r) => setTimeout(r, m.drainMs));
  const closing = state.streamers.flatMap((st) => (st.socket ? [st.socket] : []));
  await Promise.all(
    closing.map(
      (s) =>
        new Promise<void>((resolve) => {
          if (s.destroyed) return resolve();
          const timer = setTimeout(() => s.destroy(), 3000);
          s.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          s.end();
        }),
    ),
  );
  streaming = undefined;
  return stats;
}

/** How open/close cycles ended. */
const cycleStats = { connected: 0, echoed: 0, refused: 0, cut: 0, timedOut: 0, bad: 0, fin: 0, rst: 0 };

/** One cycle: connect, send 16 bytes of a new stream, await their echo, close (FIN or RST alternately). */
function cycle(port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const id = nextId++;
    const checker = new SequenceChecker(id);
    const socket = connect({ port, host: '127.0.0.1', noDelay: true });
    let connected = false;
    let done = false;
    const finish = (outcome: 'echoed' | 'refused' | 'cut' | 'timedOut' | 'bad'): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      cycleStats[outcome]++;
      // A FIN may be held back by a partition: give the close as long as the cycle had.
      const stuck = setTimeout(() => socket.destroy(), timeoutMs);
      socket.once('close', () => clearTimeout(stuck));
      if (outcome === 'echoed' && id % 2 === 0) {
        cycleStats.fin++;
        socket.end();
      } else if (connected && !socket.destroyed && !socket.writableEnded) {
        // Never RST after end(): Node 20 then leaks the handle (libuv refuses the reset with EINVAL).
        cycleStats.rst++;
        socket.resetAndDestroy();
      } else {
        socket.destroy();
      }
    };
    const timer = setTimeout(() => finish('timedOut'), timeoutMs);
    socket.on('error', (err: NodeJS.ErrnoException) => finish(err.code === 'ECONNREFUSED' ? 'refused' : 'cut'));
    socket.once('connect', () => {
      connected = true;
      cycleStats.connected++;
      socket.write(words(id, 0, 16));
    });
    socket.on('data', (chunk: Buffer) => {
      checker.push(chunk);
      if (checker.error !== undefined) {
        fail(`cycle: ${checker.error}`);
        finish('bad');
      } else if (checker.bytes >= 16) {
        finish('echoed');
      }
    });
    socket.once('end', () => finish('cut'));
    socket.once('close', () => {
      finish('cut');
      resolve();
    });
  });
}

/** Runs cycles on `concurrency` workers until `total` have connected (or `deadlineMs` passes). */
async function cycles(m: { port: number; total: number; concurrency: number; timeoutMs: number; deadlineMs: number }): Promise<typeof cycleStats> {
  const start = cycleStats.connected;
  const until = performance.now() + m.deadlineMs;
  const worker = async (): Promise<void> => {
    while (cycleStats.connected - start < m.total && performance.now() < until) await cycle(m.port, m.timeoutMs);
  };
  await Promise.all(Array.from({ length: m.concurrency }, worker));
  return cycleStats;
}

/** Opens `count` connections to `port` (`concurrency` dialling at once) and keeps them open. */
async function idle(m: { port: number; count: number; concurrency: number }): Promise<{ open: number; failed: number }> {
  let started = 0;
  let failed = 0;
  const dialOne = (): Promise<void> =>
    new Promise((resolve) => {
      const socket = track(connect({ port: m.port, host: '127.0.0.1' }));
      socket.once('connect', () => resolve());
      socket.once('close', () => {
        failed++;
        resolve();
      });
    });
  const worker = async (): Promise<void> => {
    while (started < m.count) {
      started++;
      await dialOne();
    }
  };
  await Promise.all(Array.from({ length: m.concurrency }, worker));
  return { open: sockets.size, failed };
}

let fastState: { stopped: boolean; written: number; reconnects: number } | undefined;

/** `count` clients of `port` writing 64 KiB chunks as fast as the proxy takes them; a closed one reconnects. */
function fast(m: { port: number; count: number }): void {
  const state = fastState ?? { stopped: false, written: 0, reconnects: 0 };
  fastState = state;
  const chunk = Buffer.alloc(64 * 1024, 0x5a);
  const open = (): void => {
    const s = track(connect({ port: m.port, host: '127.0.0.1', noDelay: true }));
    const pump = (): void => {
      while (!state.stopped && !s.destroyed && s.write(chunk)) state.written += chunk.length;
    };
    s.once('connect', pump);
    s.on('drain', pump);
    s.resume();
    s.once('close', () => {
      if (state.stopped) return;
      state.reconnects++;
      setTimeout(open, 10);
    });
  };
  for (let i = 0; i < m.count; i++) open();
}

/** Stops the fast producers; what they wrote. */
function fastStop(): { written: number; reconnects: number } {
  const state = fastState ?? { stopped: true, written: 0, reconnects: 0 };
  state.stopped = true;
  fastState = undefined;
  return { written: state.written, reconnects: state.reconnects };
}

/** Destroys every socket and closes every server of this process. */
async function closeAll(): Promise<void> {
  if (streaming) {
    streaming.stopped = true;
    clearInterval(streaming.timer);
  }
  if (fastState) fastState.stopped = true;
  const closed = [...sockets].map((s) => new Promise((r) => s.once('close', r)));
  for (const s of sockets) s.destroy();
  await Promise.all(closed);
  await Promise.all([...servers].map((s) => new Promise((r) => s.close(r))));
  servers.clear();
}

serve({
  echo,
  sink,
  stream,
  streamStop,
  cycles,
  idle,
  fast,
  fastStop,
  closeAll,
  stats: () => ({ ...stats, cycles: cycleStats, sockets: sockets.size }),
});
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });
