/** The canonical JSON results file, named as the partition-test plan names it. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReadableResult } from '../result-schema.js';

/** The default results folder (relative to the working directory). */
export const DEFAULT_OUT_DIR = '.beads/metrics/reliability';

/** `network_partition_test_results_YYYYMMDD_HHMMSS.json` for `date` (local time). */
export function resultsFileName(date: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  const day = `${date.getFullYear()}${two(date.getMonth() + 1)}${two(date.getDate())}`;
  const time = `${two(date.getHours())}${two(date.getMinutes())}${two(date.getSeconds())}`;
  return `network_partition_test_results_${day}_${time}.json`;
}

/** Writes `results` as JSON into `outDir`; returns the file's path. */
export async function writeResults(results: readonly ReadableResult[], outDir: string, date = new Date()): Promise<string> {
  await mkdir(outDir, { recursive: true });
  const file = join(outDir, resultsFileName(date));
  await writeFile(file, JSON.stringify(results, null, 2) + '\n');
  return file;
}
