/** Options every client command takes (declared once in bin/faultline.ts). */
import type { Argv } from 'yargs';
import { ApiClient } from './api-client.js';

/** The global options as yargs hands them to a command. */
export interface GlobalArgs {
  url: string;
  json: boolean;
  token: string | undefined;
}

/** The API client for the global options. */
export function clientFor(argv: GlobalArgs): ApiClient {
  return new ApiClient(argv.url, argv.token);
}

/** Declares the `<name>` positional (a proxy name) on a command. */
export function withName<T>(y: Argv<T>): Argv<T & { name: string }> {
  return y.positional('name', { type: 'string', demandOption: true, describe: 'proxy name' }) as unknown as Argv<T & { name: string }>;
}
