/** Processes standing in for the docker-compose services: demo upstreams and health-check one-liners. */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { BIN } from './cli.js';
import type { Teardown } from './net.js';

/** A `faultline upstream ...` process; resolves with its address once it listens. */
export async function upstreamProcess(t: Teardown, args: readonly string[]): Promise<{ address: string }> {
  const child = spawn(process.execPath, [BIN, ...args]);
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  t.teardown(() => {
    child.kill('SIGKILL');
    return exited;
  });
  const address = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString();
      const match = /upstream on (\S+), ledger at/.exec(output);
      if (match) resolve(match[1] as string);
    });
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    void exited.then((code) => reject(new Error(`faultline ${args.join(' ')} exited ${code}: ${output}`)));
  });
  return { address };
}

/** Runs `node ...args` (a health check's command) and resolves with its exit code; killed after `timeoutMs`. */
export function runNode(args: readonly string[], timeoutMs = 5000): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** A loopback port nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
