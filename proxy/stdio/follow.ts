/**
 * How the stdio relay takes its toxics from a faultline server: it registers the proxy NAME (or
 * adopts it: several relays may share one name, each applies the same toxics), subscribes to
 * `GET /events?proxy=NAME` and then reads the proxy once, so no change falls between the snapshot
 * and the stream; each toxic or proxy event is handed over as it comes (no extra request per
 * change). The stream ending, or the server not answering, is `lost`; the caller retries.
 */
import { apiPath, ApiClient, ApiError, ApiUnreachableError } from '../../protocol/api-client.js';
import { sseData } from '../../protocol/sse.js';
import type { EventJson, ProxyJson } from '../../protocol/wire.js';

/** What a follower tells its relay. */
export interface FollowHandlers {
  /** The proxy as it is now (after the stream opened). */
  snapshot(proxy: ProxyJson): void;
  /** An event of the proxy, in order. */
  event(event: EventJson): void;
}

/** Where the relay registers and what it says it is. */
export interface FollowTarget {
  readonly url: string;
  readonly token?: string | undefined;
  readonly name: string;
  /** The `upstream` a proxy the relay creates shows (`stdio:<command>`; never dialled). */
  readonly upstream: string;
}

/** Creates proxy NAME unless it exists (`listen` 127.0.0.1:0: nobody connects to it); resolves with it. */
async function register(target: FollowTarget): Promise<ProxyJson> {
  const api = new ApiClient(target.url, target.token);
  try {
    return await api.request<ProxyJson>('GET', apiPath('proxies', target.name));
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 404)) throw err;
  }
  try {
    return await api.request<ProxyJson>('POST', '/proxies', { name: target.name, listen: '127.0.0.1:0', upstream: target.upstream, enabled: true });
  } catch (err) {
    // Another relay of the same name registered it first: adopt it.
    if (err instanceof ApiError && err.status === 409) return api.request<ProxyJson>('GET', apiPath('proxies', target.name));
    throw err;
  }
}

/**
 * Follows proxy NAME until the stream ends or `signal` aborts: registers it, opens its event
 * stream, hands over a snapshot, then every event. Resolves when the stream ended (the server
 * went away or deleted the proxy); rejects when the server cannot be reached.
 */
export async function follow(target: FollowTarget, handlers: FollowHandlers, signal: AbortSignal): Promise<void> {
  await register(target);
  const headers: Record<string, string> = { accept: 'text/event-stream', 'user-agent': 'faultline stdio' };
  if (target.token) headers['authorization'] = `Bearer ${target.token}`;
  const url = `${target.url.replace(/\/+$/, '')}/events?proxy=${encodeURIComponent(target.name)}`;
  let response: Response;
  try {
    response = await fetch(url, { headers, signal });
  } catch (err) {
    if (signal.aborted) return;
    throw new ApiUnreachableError(target.url, (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message);
  }
  if (!response.ok || !response.body) throw new ApiError(response.status, await response.text().catch(() => ''), 'GET', '/events');
  const pending: EventJson[] = [];
  let ready = false;
  const deliver = (event: EventJson): void => {
    if (ready) handlers.event(event);
    else pending.push(event);
  };
  const reading = readEvents(response.body, deliver, signal);
  reading.catch(() => undefined); // awaited below; this only keeps an early failure from being unhandled
  try {
    handlers.snapshot(await new ApiClient(target.url, target.token).request<ProxyJson>('GET', apiPath('proxies', target.name)));
    ready = true;
    for (const event of pending.splice(0)) handlers.event(event);
  } catch (err) {
    await response.body.cancel().catch(() => undefined);
    throw err;
  }
  await reading;
}

/** Reads server-sent events from `body`, handing each `data:` JSON to `deliver`, until it ends. */
async function readEvents(body: ReadableStream<Uint8Array>, deliver: (event: EventJson) => void, signal: AbortSignal): Promise<void> {
  try {
    for await (const data of sseData(body as unknown as AsyncIterable<Uint8Array>)) deliver(JSON.parse(data) as EventJson);
  } catch (err) {
    if (!signal.aborted) throw err;
  }
}
