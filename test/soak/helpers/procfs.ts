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
