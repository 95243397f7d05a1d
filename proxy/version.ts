/** Version strings: the Toxiproxy API faultline speaks, and faultline's own package version. */
import { readFileSync } from 'node:fs';

/** The Toxiproxy release whose API faultline implements (clients read it to choose PATCH over POST). */
export const TOXIPROXY_VERSION = '2.12.0';

/** faultline's version, read from its package.json (found above this file, from source or from dist/). */
export const FAULTLINE_VERSION: string = packageVersion(new URL('.', import.meta.url));

function packageVersion(start: URL): string {
  for (let dir = start; ; dir = new URL('..', dir)) {
    const found = readPackage(new URL('package.json', dir));
    if (found !== undefined) return found;
    if (new URL('..', dir).href === dir.href) return '0.0.0';
  }
}

function readPackage(file: URL): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
    return pkg.name === 'faultline' && typeof pkg.version === 'string' ? pkg.version : undefined;
  } catch {
    // No package.json at this level (or not ours): keep walking up.
    return undefined;
  }
}
