/**
 * The `--clients` flag of `toxic add|update` and `partition`: a client selector written as
 * `fraction=0.5[,seed=7]`, `addresses=127.0.0.2,127.0.0.3:5000`, `ids=3,7`, `all` (no selector:
 * clears one on update) or the JSON object itself. The server validates the values and names
 * the field of a bad one; here only the form is checked.
 */
import type { ClientSelector } from '../protocol/wire.js';
import { CliError } from './errors.js';

/** What `--clients` says in its help. */
export const CLIENTS_FLAG_HELP =
  'only these connections: fraction=0.5[,seed=7] | addresses=127.0.0.2,127.0.0.3:5000 | ids=3,7 | all | a JSON selector';

/** Parses a `--clients` value; `all` gives `{}` (every connection). */
export function parseClientsFlag(text: string): ClientSelector | Record<string, never> {
  const value = text.trim();
  if (value === 'all') return {};
  if (value.startsWith('{')) {
    try {
      return JSON.parse(value) as ClientSelector;
    } catch (err) {
      throw usage(`not valid JSON (${(err as Error).message})`);
    }
  }
  const match = /^(fraction|addresses|ids)=(.+)$/.exec(value);
  if (!match) throw usage('expected fraction=…, addresses=…, ids=…, all or a JSON object');
  const [, kind, rest] = match as unknown as [string, 'fraction' | 'addresses' | 'ids', string];
  const list = rest.split(',').map((item) => item.trim());
  if (kind === 'addresses') return { addresses: list };
  if (kind === 'ids') return { ids: list.map((id) => number(id, 'ids')) };
  const [share, ...options] = list as [string, ...string[]];
  const selector: { fraction: number; seed?: number } = { fraction: number(share, 'fraction') };
  for (const option of options) {
    const seed = /^seed=(.+)$/.exec(option)?.[1];
    if (seed === undefined) throw usage(`fraction takes only seed=N after it, not ${JSON.stringify(option)}`);
    selector.seed = number(seed, 'seed');
  }
  return selector;
}

function number(text: string, what: string): number {
  const n = Number(text);
  if (text === '' || !Number.isFinite(n)) throw usage(`${what}: ${JSON.stringify(text)} is not a number`);
  return n;
}

function usage(reason: string): CliError {
  return new CliError(`--clients: ${reason}`, 'ERR_USAGE');
}
