/**
 * Request/response over the IPC channel of a forked child: the parent calls a named method, the
 * child answers it. Both benchmark children (servers, proxy under test) speak it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

interface Request {
  id: number;
  method: string;
  arg: unknown;
}

interface Reply {
  id: number;
  result?: unknown;
  error?: string;
}

/** The parent's handle on a forked child. */
export interface Child {
  readonly pid: number;
  call<T>(method: string, arg?: unknown): Promise<T>;
  /** Disconnects the channel (the child exits) and waits for the exit. */
  close(): Promise<void>;
}

/**
 * Forks `script` with `execArgv` and `args`. A child that exits before `close()` (crashed or
 * killed from outside) aborts the whole benchmark at once: a half-dead setup would only hang.
 */
export function forkChild(script: URL, args: string[], execArgv: string[]): Child {
  const proc: ChildProcess = fork(script, args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();
  let nextId = 1;
  let closing = false;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.on('message', (message: Reply) => {
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error !== undefined) waiter.reject(new Error(message.error));
    else waiter.resolve(message.result);
  });
  proc.once('exit', (code, signal) => {
    if (closing) return;
    const name = [fileURLToPath(script).split('/').pop(), ...args].join(' ');
    console.error(`bench: child ${name} (pid ${proc.pid}) exited unexpectedly (${signal ?? `code ${code}`}); aborting`);
    process.exit(1);
  });
  return {
    pid: proc.pid ?? -1,
    call<T>(method: string, arg?: unknown): Promise<T> {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        proc.send({ id, method, arg } satisfies Request);
      });
    },
    async close(): Promise<void> {
      closing = true;
      if (proc.connected) proc.disconnect();
      await exited;
    },
  };
}

/** A method the child offers. */
export type Handler = (arg: never) => unknown;

/** Child side: answers the parent's calls with `handlers`; exits when the parent disconnects. */
export function serve(handlers: Record<string, Handler>): void {
  process.on('message', (message: Request) => {
    const handler = handlers[message.method];
    const reply = (body: Omit<Reply, 'id'>): void => {
      process.send?.({ id: message.id, ...body });
    };
    if (!handler) {
      reply({ error: `unknown method ${message.method}` });
      return;
    }
    Promise.resolve()
      .then(() => handler(message.arg as never))
      .then(
        (result) => reply({ result }),
        (err: unknown) => reply({ error: err instanceof Error ? err.message : String(err) }),
      );
  });
  process.once('disconnect', () => process.exit(0));
}
