// Prints the closing line CI reads ("N passed, M failed") from tap's output.
import { readFileSync } from 'node:fs';

const text = readFileSync(process.argv[2], 'utf8');
const line = [...text.matchAll(/^# \{ total: .*\}$/gm)].pop()?.[0];
const get = (key) => Number(line?.match(new RegExp(`\\b${key}: (\\d+)`))?.[1] ?? 0);
if (!line) {
  console.log('0 passed, 1 failed');
} else {
  const skipped = get('skip') + get('todo');
  console.log(`${get('pass')} passed, ${get('fail')} failed` + (skipped ? `, ${skipped} skipped` : ''));
}
