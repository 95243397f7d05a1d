/** `npm run schema`: writes harness/result.schema.json from the result's zod schema (a test checks it is current). */
import { writeFile } from 'node:fs/promises';
import { resultsJsonSchema } from '../harness/result-schema.js';

const file = new URL('../../harness/result.schema.json', import.meta.url);
await writeFile(file, JSON.stringify(resultsJsonSchema(), null, 2) + '\n');
process.stdout.write(`wrote ${file.pathname}\n`);
