/** External clients in tests: the example adapters and test fixtures, run with a marker so their processes can be found. */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** examples/clients/NAME, absolute. */
export function example(name: string): string {
  return fileURLToPath(new URL(`../../examples/clients/${name}`, import.meta.url));
}

/** test/fixtures/clients/NAME, absolute. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/clients/${name}`, import.meta.url));
}

/** A marker unique to this run: the clients ignore their arguments, so it only tags their command lines. */
export function marker(): string {
  return `faultline-test-${randomBytes(4).toString('hex')}`;
}

/** Pids of live processes (zombies do not count) whose command line contains `tag`. */
export function processesWith(tag: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8').replace(/^.*\) /s, '')[0];
      if (cmdline.includes(tag) && state !== 'Z') pids.push(Number(entry));
    } catch {
      // gone while we looked
    }
  }
  return pids;
}
