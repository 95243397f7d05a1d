/** A raw HTTP/1.1 client on one socket for tests: writes requests as bytes (pipelined if wanted), reads responses in order. */
import type { Socket } from 'node:net';
import { responseFraming } from '../../proxy/http/body.js';
import { field, type Head } from '../../proxy/http/head.js';
import { MessageReader } from '../../proxy/http/message-reader.js';

/** One response as read. */
export interface RawResponse {
  status: number;
  head: Head;
  body: string;
}

/** Reads the responses arriving on `socket`, in order; `methods` are the requests' methods (a HEAD response has no body). */
export function responses(socket: Socket, methods: string[] = []) {
  const got: RawResponse[] = [];
  const waiters: Array<{ n: number; resolve: () => void; reject: (e: Error) => void }> = [];
  let current: RawResponse | undefined;
  let index = 0;
  let failure: string | undefined;
  const settle = (): void => {
    for (const w of waiters.splice(0)) {
      if (got.length >= w.n) w.resolve();
      else if (failure) w.reject(new Error(`${failure} after ${got.length} of ${w.n} responses`));
      else waiters.push(w);
    }
  };
  const reader = new MessageReader('response', (head) => responseFraming(head, methods[index]), {
    head: (head) => void (current = { status: head.status, head, body: '' }),
    piece: (raw, payload) => {
      if (current && payload) current.body += raw.toString();
    },
    done: () => {
      if (current && current.status >= 200) {
        got.push(current);
        index++;
      }
      current = undefined;
      settle();
    },
    opaque: () => undefined,
    invalid: (reason) => {
      failure = `not HTTP: ${reason}`;
      settle();
    },
  });
  socket.on('data', (data: Buffer) => reader.feed(data));
  socket.on('close', () => {
    failure ??= 'socket closed';
    settle();
  });
  return {
    got,
    /** Resolves once `n` responses are complete. */
    wait: (n: number) =>
      new Promise<RawResponse[]>((resolve, reject) => {
        waiters.push({ n, resolve: () => resolve(got.slice(0, n)), reject });
        settle();
      }),
  };
}

/** The text of a request with a Content-Length body. */
export function postWithLength(path: string, body: string): string {
  return `POST ${path} HTTP/1.1\r\nHost: test\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/** The text of a request with a chunked body sent in `pieces`. */
export function postChunked(path: string, pieces: string[]): string {
  const chunks = pieces.map((p) => `${Buffer.byteLength(p).toString(16)}\r\n${p}\r\n`).join('');
  return `POST ${path} HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n${chunks}0\r\n\r\n`;
}

/** The text of a GET. */
export function getRequest(path: string): string {
  return `GET ${path} HTTP/1.1\r\nHost: test\r\n\r\n`;
}

/** A header of a response read by `responses`. */
export function header(response: RawResponse, name: string): string | undefined {
  return field(response.head, name);
}
