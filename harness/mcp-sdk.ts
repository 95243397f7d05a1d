/** The MCP SDK packages faultline runs, named with the version actually installed (for results and defect reports). */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cache = new Map<string, string>();

/** `name version` of an installed package, e.g. `@modelcontextprotocol/sdk 1.32.2`. */
export function sdkVersion(name: string): string {
  let found = cache.get(name);
  if (found === undefined) {
    // The packages' exports hide package.json: look in node_modules as Node's resolution does.
    let dir = dirname(fileURLToPath(import.meta.url));
    let version = 'unknown';
    for (let i = 0; i < 8; i++, dir = dirname(dir)) {
      try {
        version = (JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
        break;
      } catch {
        // not here: keep walking up
      }
    }
    found = `${name} ${version}`;
    cache.set(name, found);
  }
  return found;
}
