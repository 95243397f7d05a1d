/** HTTP helpers for control-API tests: a server on 127.0.0.1 port 0 closed at teardown, and a fetch wrapper. */
import { startServer, type RunningServer, type ServerOptions } from '../../proxy/api/server.js';
import type { Teardown } from './net.js';

/** A response read whole. */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON (undefined when it is empty or not JSON). */
  json: any;
}

/** Starts a faultline server on 127.0.0.1:0 and closes it at teardown. */
export async function apiServer(t: Teardown, options: ServerOptions = {}): Promise<RunningServer> {
  const server = await startServer({ port: 0, seed: 'test', ...options });
  t.teardown(() => server.close());
  return server;
}

/** Sends one request; a string body is sent as is, anything else as JSON. */
export async function call(
  server: { url: string },
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const init: RequestInit = { method, headers, redirect: 'manual' };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const response = await fetch(server.url + path, init);
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}
