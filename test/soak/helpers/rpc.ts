/** Request/response over a child process's IPC channel: `{id, op, ...args}` out, `{id, result | error}` back. */
import type { ChildProcess } from 'node:child_process';

/** A call into a child: resolves with the op's result, rejects with its error or if the child exits. */
export type Call = <T>(op: string, args?: object) => Promise<T>;

interface Reply {
  id: number;
  result?: unknown;
  error?: string;
}

/** Wraps `child`'s IPC channel into a `Call`. */
export function rpc(child: ChildProcess): Call {
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  child.on('message', (m: Reply) => {
    const waiter = pending.get(m.id);
    if (!waiter) return;
    pending.delete(m.id);
    if (m.error !== undefined) waiter.reject(new Error(m.error));
    else waiter.resolve(m.result);
  });
  child.once('exit', (code, signal) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`child exited (${code ?? signal})`));
    pending.clear();
  });
  return <T>(op: string, args: object = {}): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: (v) => resolve(v as T), reject });
      child.send({ id, op, ...args });
    });
}

/** Serves `ops` on this process's IPC channel (the child side of `rpc`). */
export function serve(ops: Record<string, (args: never) => unknown>): void {
  process.on('message', async (m: { id: number; op: string }) => {
    try {
      const op = ops[m.op];
      if (!op) throw new Error(`unknown op ${m.op}`);
      process.send?.({ id: m.id, result: (await op(m as never)) ?? null });
    } catch (err) {
      process.send?.({ id: m.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
  });
}
