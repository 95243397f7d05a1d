import { readFileSync } from 'node:fs';
import t from 'tap';
import { statusOf } from '../proxy/api/status.js';
import type { ErrorCode } from '../proxy/errors.js';
import { toxicDefinitions } from '../proxy/toxics/catalog.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const errorsSource = readFileSync(new URL('../proxy/errors.ts', import.meta.url), 'utf8');

t.test('the README lists every error code with its status', async (t) => {
  const codes = [...errorsSource.matchAll(/\| '(ERR_[A-Z_]+)'/g)].map((m) => m[1] as ErrorCode);
  t.ok(codes.length >= 10, `${codes.length} codes`);
  for (const code of codes) {
    t.match(readme, new RegExp(`\\| \`${code}\` \\| ${statusOf(code)}\\b`), `${code} → ${statusOf(code)}`);
  }
});

t.test('the README fault table has a row for every toxic type', async (t) => {
  for (const { type } of toxicDefinitions()) t.match(readme, new RegExp(`^\\| \`${type}\` \\|`, 'm'), type);
});

/** The text of the README's part `## heading` (up to the next `## `). */
function part(heading: string): string {
  const start = readme.indexOf(`\n## ${heading}\n`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

t.test('the harness part opens with "Test your own client", with the protocol table', async (t) => {
  const harness = part('The harness');
  t.equal(/\n### (.+)\n/.exec(harness)?.[1], 'Test your own client', 'its first section');
  for (const line of ['"kind":"write"', '"kind":"read"', '"ok":true', '"ok":false', '"event":"disconnected"', '"event":"reconnected"', '"event":"ready"', 'FAULTLINE_TARGET', 'FAULTLINE_PATH', 'FAULTLINE_SCENARIO']) {
    t.match(harness, new RegExp(`^\\|[^\\n]*${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'), `the protocol table has ${line}`);
  }
});

t.test('the README shows the Python adapter and the ledger recipe in full, as they are in examples/', async (t) => {
  for (const [file, lang] of [['examples/clients/python-client.py', 'python'], ['examples/servers/your-service.mjs', 'js']] as const) {
    const source = readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');
    t.ok(readme.includes('```' + lang + '\n' + source + '```\n'), `${file} is in the README, unchanged`);
  }
});
