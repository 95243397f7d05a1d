/** Options every client command takes (declared once in bin/faultline.ts). */
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
