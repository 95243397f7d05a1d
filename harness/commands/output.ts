/** The output options shared by `run` and `demo`, and what they do with the results. */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { consoleDetails, consoleSummary } from '../reporters/console.js';
import { DEFAULT_OUT_DIR, writeResults } from '../reporters/json.js';
import { renderJunit } from '../reporters/junit.js';
import type { ReadableResult } from '../result-schema.js';
import { runExitCode, type ExitOn } from '../verdict.js';

/** The output flags. */
export interface OutputArgs {
  'out-dir': string;
  target: number;
  'exit-on': ExitOn;
  quiet: boolean;
  html?: string;
  junit?: string;
  history?: string;
}

/** Declares the output flags on a command. */
export function outputOptions<T>(y: Argv<T>) {
  return y
    .option('out-dir', { type: 'string', default: DEFAULT_OUT_DIR, describe: 'where the JSON results file goes' })
    .option('target', { type: 'number', default: 0.85, describe: 'share of scenarios that must degrade gracefully (0..1)' })
    .option('exit-on', {
      choices: ['all', 'target'] as const,
      default: 'all' as const,
      describe: 'exit 1 unless every scenario passed and the target is met (all), or only unless the target is met (target)',
    })
    .option('quiet', { type: 'boolean', default: false, describe: 'only the summary' })
    .option('html', { type: 'string', describe: 'also write a self-contained HTML report (timelines, summary) to FILE' })
    .option('junit', { type: 'string', describe: 'also write JUnit XML (one testcase per scenario) to FILE' })
    .option('history', { type: 'string', describe: 'also write a Jepsen-style history (JSON lines: invoke/ok/fail/info per operation) to FILE' })
    .check((argv) => {
      const target = Number(argv['target']);
      if (!(target >= 0 && target <= 1)) throw new Error('--target must be between 0 and 1 (e.g. 0.85)');
      return true;
    });
}

/** Prints the summary, writes the files; returns the exit code (see verdict.ts). */
export async function report(results: readonly ReadableResult[], argv: Omit<OutputArgs, 'exit-on'> & { 'exit-on'?: ExitOn }): Promise<number> {
  process.stdout.write('\n' + consoleSummary(results, argv.target));
  if (!argv.quiet) process.stdout.write('\nPer scenario:\n' + consoleDetails(results));
  const file = await writeResults(results, argv['out-dir']);
  process.stdout.write(`\nResults: ${file}\n`);
  if (argv.html) {
    const { writeHtml } = await import('../reporters/html.js');
    await writeHtml(results, argv.html, { target: argv.target, source: basename(file), generatedAt: new Date() });
    process.stdout.write(`HTML report: ${argv.html}\n`);
  }
  if (argv.junit) {
    await mkdir(dirname(resolve(argv.junit)), { recursive: true });
    await writeFile(argv.junit, renderJunit(results));
    process.stdout.write(`JUnit report: ${argv.junit}\n`);
  }
  if (argv.history) {
    const { writeHistory } = await import('../reporters/history.js');
    await writeHistory(results, argv.history);
    process.stdout.write(`History: ${argv.history}\n`);
  }
  return runExitCode(results, argv.target, argv['exit-on'] ?? 'all');
}
