/** Runs the built `faultline` command as a real process (dist/bin/faultline.js; `npm test` builds first). */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Teardown } from './net.js';

/** The compiled entry point. */
export const BIN = fileURLToPath(new URL('../../dist/bin/faultline.js', import.meta.url));

/** What a finished command printed and how it exited. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `faultline ...args` to completion. */
export function faultline(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A `faultline server` process on a free port; resolves with its URL once it is ready. */
export async function serverProcess(
  t: Teardown,
  args: readonly string[] = [],
): Promise<{ url: string; child: ChildProcess; output: () => string; exited: Promise<number | null> }> {
  const port = args.some((a) => /^--?port\b/.test(a)) ? [] : ['--port', '0'];
  const child = spawn(process.execPath, [BIN, 'server', ...port, '--log-level', 'info', ...args], {
    env: { ...process.env, FAULTLINE_URL: '' },
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  t.teardown(() => {
    child.kill('SIGKILL');
    return exited;
  });
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (c: Buffer): void => {
      output += c.toString();
      const match = /"url":"(http:\/\/[^"]+)"[^\n]*faultline server ready/.exec(output);
      if (match) resolve(match[1] as string);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    void exited.then((code) => reject(new Error(`server exited ${code}: ${output}`)));
  });
  return { url, child, output: () => output, exited };
}

/** True while a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
