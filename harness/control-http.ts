/**
 * The HTTP layer under toxiproxy-node-client, for the Controller. The client reads and writes only
 * through its public `api` property (get, post, delete, getText); this stands in for it so that
 * every request carries the API token when there is one, and a refused request fails with the
 * server's own message (`HTTP 400 from POST /proxies/p/toxics: invalid toxic type: "x"`) instead of
 * the client's bare "Request failed with status code 400".
 */

/** A request the control API refused, with its status and the server's message. */
export class ControlApiError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = 'ControlApiError';
    this.status = status;
  }
}

/** The methods toxiproxy-node-client calls on its `api`. */
export class ControlHttp {
  #headers: Record<string, string>;

  constructor(token?: string) {
    this.#headers = token ? { authorization: `Bearer ${token}` } : {};
  }

  async get<T>(url: string): Promise<{ data: T }> {
    return { data: (await this.#send('GET', url)) as T };
  }

  async post<T>(url: string, body?: unknown): Promise<{ data: T }> {
    return { data: (await this.#send('POST', url, body)) as T };
  }

  async delete(url: string): Promise<void> {
    await this.#send('DELETE', url);
  }

  async getText(url: string): Promise<string> {
    return (await this.#fetch('GET', url)).text();
  }

  async #send(method: string, url: string, body?: unknown): Promise<unknown> {
    const text = await (await this.#fetch(method, url, body)).text();
    if (text.length === 0) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new Error(`${method} ${new URL(url).pathname}: the server answered with something that is not JSON: ${text.slice(0, 200)}`);
    }
  }

  async #fetch(method: string, url: string, body?: unknown): Promise<Response> {
    const headers = body === undefined ? this.#headers : { ...this.#headers, 'content-type': 'application/json' };
    const init: RequestInit = body === undefined ? { method, headers } : { method, headers, body: JSON.stringify(body) };
    const response = await fetch(url, init);
    if (response.ok) return response;
    const text = (await response.text()).trim();
    let message = text;
    try {
      const error = (JSON.parse(text) as { error?: unknown }).error;
      if (typeof error === 'string') message = error;
    } catch {
      // Toxiproxy answers some errors in plain text: keep it as it is.
    }
    throw new ControlApiError(response.status, `HTTP ${response.status} from ${method} ${new URL(url).pathname}: ${message || response.statusText}`);
  }
}
