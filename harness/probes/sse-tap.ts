/**
 * A tap on an MCP client's HTTP traffic: a fetch wrapper that passes every byte through unchanged
 * and reports what went over the wire: each request (method, the MCP headers, the JSON-RPC body),
 * its response status, each Server-Sent Event of the response body as it arrives (id, retry,
 * data), and how the body ended. What a probe reports as spoken, resumed or replayed comes from
 * here, not from an SDK's own account.
 */
import type { Fetch } from './http.js';

/** One Server-Sent Event (an event with no data, such as a priming event, has `data` ''). */
export interface SseEvent {
  readonly id?: string;
  readonly retry?: number;
  readonly data: string;
}

/** One HTTP exchange as the client made it. */
export interface Exchange {
  readonly method: string;
  readonly session: string | null;
  readonly protocolVersion: string | null;
  readonly lastEventId: string | null;
  /** The parsed JSON body of a POST (undefined otherwise). */
  readonly body: unknown;
}

/** What the tap reports, per exchange. */
export interface TapListener {
  request(exchange: Exchange): void;
  response(exchange: Exchange, status: number): void;
  event(exchange: Exchange, event: SseEvent): void;
  /** The response body ended (`error` set when it broke), or the request failed before a response. */
  end(exchange: Exchange, error?: string): void;
}

/** `fetch` with every exchange reported to `listener`. */
export function tapFetch(fetch: Fetch, listener: TapListener): Fetch {
  return async (url, init) => {
    const headers = new Headers(init?.headers);
    let body: unknown;
    if (typeof init?.body === 'string') {
      try {
        body = JSON.parse(init.body);
      } catch {
        body = undefined;
      }
    }
    const exchange: Exchange = {
      method: init?.method ?? 'GET',
      session: headers.get('mcp-session-id'),
      protocolVersion: headers.get('mcp-protocol-version'),
      lastEventId: headers.get('last-event-id'),
      body,
    };
    listener.request(exchange);
    let response: Response;
    try {
      response = await fetch(url, init);
    } catch (err) {
      listener.end(exchange, (err as Error).message);
      throw err;
    }
    listener.response(exchange, response.status);
    const sse = (response.headers.get('content-type') ?? '').startsWith('text/event-stream');
    if (!sse || response.body === null) {
      listener.end(exchange);
      return response;
    }
    const parse = sseParser((event) => listener.event(exchange, event));
    const reader = response.body.getReader();
    let ended = false;
    const end = (error?: string): void => {
      if (ended) return;
      ended = true;
      listener.end(exchange, error);
    };
    const tapped = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const chunk = await reader.read().catch((err: unknown) => {
          end((err as Error).message);
          throw err;
        });
        if (chunk.done) {
          end();
          return controller.close();
        }
        parse(chunk.value);
        controller.enqueue(chunk.value);
      },
      cancel(reason) {
        end(String(reason ?? 'cancelled'));
        return reader.cancel(reason);
      },
    });
    return new Response(tapped, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/** An incremental SSE parser: feed it chunks, it calls `onEvent` per complete event. */
function sseParser(onEvent: (event: SseEvent) => void): (chunk: Uint8Array) => void {
  const decoder = new TextDecoder();
  let buffer = '';
  let id: string | undefined;
  let retry: number | undefined;
  let data: string[] = [];
  let fields = false;
  const line = (text: string): void => {
    if (text === '') {
      if (fields) onEvent({ ...(id === undefined ? {} : { id }), ...(retry === undefined ? {} : { retry }), data: data.join('\n') });
      id = undefined;
      retry = undefined;
      data = [];
      fields = false;
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const name = colon < 0 ? text : text.slice(0, colon);
    const value = colon < 0 ? '' : text.slice(colon + 1).replace(/^ /, '');
    fields = true;
    if (name === 'id') id = value;
    else if (name === 'retry' && /^\d+$/.test(value)) retry = Number(value);
    else if (name === 'data') data.push(value);
  };
  return (chunk) => {
    buffer += decoder.decode(chunk, { stream: true });
    let at: number;
    while ((at = buffer.search(/\r\n|\r|\n/)) >= 0) {
      const end = buffer[at] === '\r' && buffer[at + 1] === '\n' ? at + 2 : at + 1;
      line(buffer.slice(0, at));
      buffer = buffer.slice(end);
    }
  };
}
