/**
 * The messages between the API's thread front (front.ts) and the thread that owns the registry
 * and the data plane (thread.ts). Requests and answers travel on a MessagePort of their own; each
 * request also bumps a shared counter, which the data plane reads between two socket callbacks.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { MessagePort } from 'node:worker_threads';
import type { ApiLimits } from './limits.js';

/** What the front is started with (its `workerData`). */
export interface FrontData {
  host: string;
  port: number;
  limits: ApiLimits;
  /** Largest body passed on; the first `bodyLimit + 1` bytes of a bigger one are, so the app answers 413. */
  bodyLimit: number;
  /** A streamed answer (`/events`) whose client lets more than this many bytes wait is closed. */
  streamBufferLimit: number;
  /** The port requests and answers travel on. */
  channel: MessagePort;
  /** Int32 counter the front increments after each message it posts on `channel`. */
  signal: SharedArrayBuffer;
}

/** Front → owner, on the channel. */
export type FrontMessage =
  | { t: 'request'; id: number; method: string; url: string; headers: IncomingHttpHeaders; body: Uint8Array; remote: string | undefined }
  /** The client went away before its answer ended. */
  | { t: 'abort'; id: number };

/** Owner → front, on the channel: an answer whole, or (a stream) head first, then its body in pieces. */
export type AnswerMessage =
  | { t: 'whole'; id: number; status: number; headers: OutgoingHttpHeaders; body: Uint8Array }
  | { t: 'head'; id: number; status: number; headers: OutgoingHttpHeaders }
  | { t: 'data'; id: number; chunk: Uint8Array }
  | { t: 'end'; id: number }
  /** The answer broke off: the front drops the connection. */
  | { t: 'reset'; id: number };

/** Front → owner, on the worker's own port: its life cycle. */
export type FrontStatus =
  | { t: 'listening'; address: string; port: number }
  | { t: 'listen-failed'; message: string; code: string | undefined; syscall: string | undefined }
  | { t: 'closed' };

/** Owner → front, on the worker's own port. */
export type FrontCommand = { t: 'close' };
