/** The CLI's HTTP client for a faultline (or Toxiproxy) control API; errors carry the server's message. */

/** An error the CLI prints as is, then exits with `exitCode`. */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** The default API URL: FAULTLINE_URL, then TOXIPROXY_URL, then http://127.0.0.1:8474. */
export function defaultUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env['FAULTLINE_URL'] || env['TOXIPROXY_URL'] || 'http://127.0.0.1:8474';
}

/** Joins path segments, each percent-encoded. */
export function apiPath(...segments: string[]): string {
  return '/' + segments.map(encodeURIComponent).join('/');
}

/** Talks JSON to one control API. */
export class ApiClient {
  readonly url: string;
  #token: string | undefined;

  constructor(url: string, token?: string) {
    this.url = url.replace(/\/+$/, '');
    this.#token = token;
  }

  /** Sends a request; resolves with the parsed JSON body (undefined when empty). */
  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { 'user-agent': 'faultline-cli' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.#token) headers['authorization'] = `Bearer ${this.#token}`;
    let response: Response;
    try {
      response = await fetch(this.url + path, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw new CliError(`cannot reach the control API at ${this.url} (${cause})`);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    if (!response.ok) {
      const message = (parsed as { error?: unknown } | undefined)?.error ?? text.trim();
      throw new CliError(`HTTP ${response.status}: ${String(message) || response.statusText}`);
    }
    return parsed as T;
  }
}
