/**
 * The one HTTP client of a control API (faultline or Toxiproxy), for the CLI and the harness:
 * JSON in and out, the bearer token on every request, and a refused request fails with the
 * server's own message (an ApiError with the status), an unreachable server with the reason.
 */

/** A request the control API refused: `POST /proxies/p/toxics → HTTP 400: <the server's own message>`. */
export class ApiError extends Error {
  readonly status: number;

  constructor(status: number, serverMessage: string, method: string, path: string) {
    super(`${method} ${path} → HTTP ${status}: ${serverMessage}`);
    this.name = 'ApiError';
    this.status = status;
  }
}

/** The control API did not answer at all (refused, reset, unknown host). */
export class ApiUnreachableError extends Error {
  constructor(url: string, reason: string) {
    super(`cannot reach the control API at ${url} (${reason})`);
    this.name = 'ApiUnreachableError';
  }
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

  /** Sends a request to `path` (under the API's URL); resolves with the parsed JSON body (undefined when empty). */
  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const text = await this.text(method, path, body);
    try {
      return (text ? JSON.parse(text) : undefined) as T;
    } catch {
      return text as T;
    }
  }

  /** Sends a request; resolves with the body as text. */
  async text(method: string, path: string, body?: unknown): Promise<string> {
    const headers: Record<string, string> = { 'user-agent': 'faultline' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.#token) headers['authorization'] = `Bearer ${this.#token}`;
    let response: Response;
    try {
      response = await fetch(this.url + path, { method, headers, body: body === undefined ? null : JSON.stringify(body) });
    } catch (err) {
      throw new ApiUnreachableError(this.url, (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message);
    }
    const text = await response.text();
    if (response.ok) return text;
    let message = text.trim();
    try {
      const error = (JSON.parse(text) as { error?: unknown }).error;
      if (typeof error === 'string') message = error;
    } catch {
      // Toxiproxy answers some errors in plain text: keep it as it is.
    }
    throw new ApiError(response.status, message || response.statusText, method, path);
  }
}
