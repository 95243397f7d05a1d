/**
 * `faultline report RESULTS.json --html report.html`: renders a results file written by `run` or
 * `demo` as one self-contained HTML page. Exit 0 when written, 2 when the results file is missing
 * or not a results array (the error names the file, the result and the field), 1 when the page
 * cannot be written.
 */
import { readFile } from 'node:fs/promises';
import type { CommandModule } from 'yargs';
import { CliError } from '../../cli/errors.js';
import { readResults, type ReadableResult } from '../result-schema.js';


interface ReportArgs {
  results: string;
  html?: string;
  target: number;
}

/** `foo.json` → `foo.html` (the default output next to the results). */
function htmlPathOf(results: string): string {
  return results.replace(/\.json$/i, '') + '.html';
}

/** Reads and checks a results file; a CliError (exit 2) names the file and what is wrong. */
async function loadResults(file: string): Promise<ReadableResult[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new CliError(`${file}: cannot read the results file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, 'ERR_INPUT');
  }
  try {
    return readResults(text);
  } catch (err) {
    throw new CliError(`${file}: ${(err as Error).message}`, 'ERR_INPUT');
  }
}

/** `faultline report`. */
export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report <results>',
  describe: 'Render a results JSON file (from run or demo) as a self-contained HTML report',
  builder: (y) =>
    y
      .positional('results', { type: 'string', demandOption: true, describe: 'the results JSON file' })
      .option('html', { type: 'string', describe: 'HTML file to write (default: the results file with .html)' })
      .option('target', { type: 'number', default: 0.85, describe: 'share of scenarios that must degrade gracefully (0..1)' })
      .check((argv) => {
        const target = Number(argv['target']);
        if (!(target >= 0 && target <= 1)) throw new Error('--target must be between 0 and 1 (e.g. 0.85)');
        return true;
      }) as never,
  handler: async (argv) => {
    const file = argv.results;
    const results = await loadResults(file);
    const out = argv.html ?? htmlPathOf(file);
    const { writeHtml } = await import('../reporters/html.js');
    await writeHtml(results, out, { target: argv.target, source: file, generatedAt: new Date() }).catch((err: unknown) => {
      throw new CliError(`cannot write ${out}: ${(err as Error).message}`);
    });
    process.stdout.write(`HTML report: ${out} (${results.length} scenario run${results.length === 1 ? '' : 's'})\n`);
  },
};
