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
