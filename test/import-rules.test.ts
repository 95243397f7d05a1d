/**
 * The layering, checked on every import of the sources: core and toxics know nothing of the API,
 * the CLI or the harness; the wire contract (protocol/) knows nothing at all; the harness library
 * never loads a CLI module; and nobody reaches into a module's internals (a toxic's own file, an
 * API route) but through its entry point.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Repo-relative paths of the project modules `file` imports (statically or with import()). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1] as string);
  return specifiers.map((s) => normalize(join(dirname(file), s)).replace(/\.js$/, '.ts'));
}

/** The layer of a module. */
function layerOf(file: string): string {
  if (file.startsWith('protocol/')) return 'protocol';
  if (file.startsWith('cli/')) return 'cli';
  if (file.startsWith('proxy/api/')) return 'api';
  if (file.startsWith('proxy/commands/') || file.startsWith('harness/commands/') || file.startsWith('bin/')) return 'commands';
  if (file.startsWith('proxy/')) return 'core';
  if (file.startsWith('harness/')) return 'harness';
  return 'root';
}

/** What each layer may import. */
const ALLOWED: Record<string, readonly string[]> = {
  protocol: ['protocol'],
  core: ['core', 'protocol'],
  api: ['api', 'core', 'protocol'],
  cli: ['cli', 'protocol'],
  harness: ['harness', 'core', 'protocol'],
  commands: ['commands', 'cli', 'api', 'core', 'harness', 'protocol'],
  root: ['api', 'core', 'protocol', 'harness'],
};

/** Modules whose files are internal, and their entry points: only the module itself imports the rest. */
const INTERNALS: ReadonlyArray<[folder: string, entries: readonly string[]]> = [
  ['proxy/toxics/', ['proxy/toxics/catalog.ts', 'proxy/toxics/toxic.ts']],
  ['proxy/api/', ['proxy/api/server.ts']],
];

const files = ['proxy', 'harness', 'cli', 'protocol', 'bin', 'scripts'].flatMap(sources).concat('index.ts');

t.test('every import keeps to the layers', async (t) => {
  const broken: string[] = [];
  for (const file of files) {
    const from = layerOf(file);
    for (const target of importsOf(file)) {
      const to = layerOf(target);
      if (!(ALLOWED[from] ?? []).includes(to)) broken.push(`${file} (${from}) imports ${target} (${to})`);
      for (const [folder, entries] of INTERNALS) {
        if (target.startsWith(folder) && !file.startsWith(folder) && !entries.includes(target)) broken.push(`${file} reaches into ${target}`);
      }
    }
  }
  t.same(broken, [], 'no import crosses a layer or reaches into a module');
  t.ok(files.length > 80, `${files.length} source files checked`);
});

t.test('the rules can fail: a core module importing the API is caught', async (t) => {
  t.notOk(ALLOWED['core']?.includes(layerOf('proxy/api/app.ts')));
  t.notOk(ALLOWED['harness']?.includes(layerOf('cli/errors.ts')));
  t.ok(importsOf('proxy/api/server.ts').includes('proxy/api/app.ts'), 'imports are resolved to repo paths');
});
