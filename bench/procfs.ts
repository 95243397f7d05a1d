/** A process seen from outside, through /proc (Linux): resident memory and open file descriptors. */
import { readdirSync, readFileSync } from 'node:fs';

/** VmRSS of `pid`, in bytes. */
export function rssOf(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]) * 1024;
}

/** Open file descriptors of `pid`. */
export function fdsOf(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** The hard limit on open files of `pid` (Max open files). */
export function fdHardLimitOf(pid: number): number {
  const match = /^Max open files\s+\d+\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
  if (!match) throw new Error(`no open-files limit for ${pid}`);
  return Number(match[1]);
}

/** The 1-minute load average of the machine. */
export function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

/** CPU time (user + system) `pid` has used so far, in seconds (clock ticks at 100 Hz, Linux's USER_HZ). */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Time the main thread of `pid` (Node's event loop) has run, and waited runnable for a CPU, in seconds (/proc/<pid>/schedstat). */
export function schedOf(pid: number): { ran: number; waited: number } {
  const [ran, waited] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(' ').map(Number) as [number, number];
  return { ran: ran / 1e9, waited: waited / 1e9 };
}
