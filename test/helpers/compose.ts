/**
 * Reading the deployment files (docker-compose.yml, Dockerfile) and turning their container
 * addresses into loopback ones, so each service's command can be run as a process on this machine.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The parts of a compose service the tests read. */
export interface ComposeService {
  build?: string | { context?: string };
  image?: string;
  entrypoint?: unknown;
  command?: unknown;
  ports?: string[];
  volumes?: string[];
  user?: string;
  healthcheck?: { test?: unknown; start_period?: string; disable?: boolean };
  depends_on?: Record<string, { condition?: string }> | string[];
}

/** A parsed compose file. */
export interface ComposeFile {
  name?: unknown;
  services: Record<string, ComposeService>;
}

/** Parses a compose file (with `<<` merge keys, as docker-compose reads them). */
export async function readCompose(file: string): Promise<ComposeFile> {
  return parse(await readFile(file, 'utf8'), { merge: true }) as ComposeFile;
}

/** The host side of the bind mount of `containerPath`, and whether it is read-only. */
export function mountOf(service: ComposeService, containerPath: string): { host: string; readOnly: boolean } | undefined {
  for (const volume of service.volumes ?? []) {
    const [host, target, mode] = volume.split(':');
    if (target === containerPath && host !== undefined) return { host, readOnly: mode === 'ro' };
  }
  return undefined;
}

/** The value after `flag` in `args`, if any. */
export function flagValue(args: readonly string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i < 0 ? undefined : args[i + 1];
}

/** `args` with the value after `flag` replaced (the flag must be there). */
export function withFlag(args: readonly string[], flag: string, value: string): string[] {
  const i = args.indexOf(flag);
  if (i < 0) throw new Error(`${flag} missing from ${args.join(' ')}`);
  return [...args.slice(0, i + 1), value, ...args.slice(i + 2)];
}

/**
 * The compose services' `name:port` addresses and the loopback addresses of the processes standing
 * in for them. Wildcard binds (0.0.0.0) become 127.0.0.1.
 */
export class Loopback {
  readonly #addresses = new Map<string, string>();

  /** Records that `service:port` is reached at `address` (`127.0.0.1:N`). */
  add(service: string, port: number, address: string): void {
    this.#addresses.set(`${service}:${port}`, address);
  }

  /** `text` with every known service address and wildcard host made loopback. */
  rewrite(text: string): string {
    let out = text.replaceAll('0.0.0.0', '127.0.0.1');
    for (const [from, to] of this.#addresses) out = out.replaceAll(from, to);
    return out;
  }
}

/** One Dockerfile instruction: its keyword (upper case) and the rest of the line. */
export interface Instruction {
  keyword: string;
  args: string;
}

/** The Dockerfile's build stages (instructions from each FROM to the next); what precedes the first FROM is left out. */
export function dockerStages(text: string): Instruction[][] {
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages: Instruction[][] = [];
  for (const line of lines) {
    const match = /^(\S+)\s*(.*)$/.exec(line) as RegExpExecArray;
    const instruction = { keyword: (match[1] as string).toUpperCase(), args: match[2] as string };
    if (instruction.keyword === 'FROM') stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  return stages;
}

/** The JSON (exec) form of an instruction's arguments, e.g. `["node", "x.js"]`. */
export function execForm(args: string): string[] {
  const value: unknown = JSON.parse(args);
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new Error(`not an exec form: ${args}`);
  return value;
}
