/**
 * The HTTP layer under toxiproxy-node-client, for the Controller. The client reads and writes only
 * through its public `api` property (get, post, delete, getText); this stands in for it on the
 * shared ApiClient, so every request carries the API token when there is one and a refused request
 * fails with the server's own message (`POST /proxies/p/toxics → HTTP 400: invalid toxic type: "x"`)
 * instead of the client's bare "Request failed with status code 400".
 */
import type { ApiClient } from '../protocol/api-client.js';

/** The methods toxiproxy-node-client calls on its `api`, over an ApiClient. */
export class ControlHttp {
  readonly #api: ApiClient;

  constructor(api: ApiClient) {
    this.#api = api;
  }

  async get<T>(url: string): Promise<{ data: T }> {
    return { data: await this.#call<T>('GET', url) };
  }

  async post<T>(url: string, body?: unknown): Promise<{ data: T }> {
    return { data: await this.#call<T>('POST', url, body) };
  }

  async delete(url: string): Promise<void> {
    await this.#call('DELETE', url);
  }

  async getText(url: string): Promise<string> {
    return this.#api.text('GET', this.#path(url));
  }

  #call<T>(method: string, url: string, body?: unknown): Promise<T> {
    return this.#api.request<T>(method, this.#path(url), body);
  }

  /** The client passes full URLs under the API's; the ApiClient takes the path. */
  #path(url: string): string {
    return url.startsWith(this.#api.url) ? url.slice(this.#api.url.length) : new URL(url).pathname;
  }
}
