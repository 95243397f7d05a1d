/** The options every command takes (`--url`, `--json`, `--token`), declared once, and what commands build from them. */
import type { Argv } from 'yargs';
import { ApiClient } from '../protocol/api-client.js';

/** The global options as yargs hands them to a command. */
export interface GlobalArgs {
  url: string;
  json: boolean;
  token: string | undefined;
}

/** The default API URL: FAULTLINE_URL, then TOXIPROXY_URL, then http://127.0.0.1:8474. */
function defaultUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env['FAULTLINE_URL'] || env['TOXIPROXY_URL'] || 'http://127.0.0.1:8474';
}

/** Declares the global options on the top-level command. */
export function globalOptions<T>(y: Argv<T>) {
  return y
    .option('url', { type: 'string', default: defaultUrl(), describe: 'control API (env FAULTLINE_URL, TOXIPROXY_URL)', global: true })
    .option('json', { type: 'boolean', default: false, describe: 'print JSON', global: true })
    .option('token', { type: 'string', default: process.env['FAULTLINE_TOKEN'], describe: 'API token (env FAULTLINE_TOKEN)', global: true });
}

/** The API client for the global options. */
export function clientFor(argv: GlobalArgs): ApiClient {
  return new ApiClient(argv.url, argv.token);
}

/** Declares the `<name>` positional (a proxy name) on a command. */
export function withName<T>(y: Argv<T>): Argv<T & { name: string }> {
  return y.positional('name', { type: 'string', demandOption: true, describe: 'proxy name' }) as unknown as Argv<T & { name: string }>;
}
