import { readFile } from 'node:fs/promises';
import t from 'tap';
import { resultsJsonSchema } from '../../harness/result-schema.js';

t.test('harness/result.schema.json is the one generated from the zod schema (npm run schema)', async (t) => {
  const committed = JSON.parse(await readFile(new URL('../../harness/result.schema.json', import.meta.url), 'utf8')) as unknown;
  t.same(committed, JSON.parse(JSON.stringify(resultsJsonSchema())), 'regenerate it with `npm run schema`');
});
