/**
 * The body of an HTTP/1.1 message, walked incrementally without being kept: a Content-Length
 * countdown, the chunked coding (size lines, data, trailers; only a size line or trailer line is
 * held, and at most MAX_LINE bytes of it), or everything until the connection closes. Bytes are
 * reported as pieces that are either payload (the content) or framing (chunk sizes, CRLFs,
 * trailers), so a reader of the content (SSE) can cut at an exact payload byte.
 */
import { field, fieldHas, type Head } from './head.js';

/** The longest chunk-size line or trailer line accepted. */
const MAX_LINE = 8 * 1024;

/** How a message's body is delimited (RFC 9112 §6). `tunnel`: after this head the stream is no longer HTTP. */
export type Framing =
  | { type: 'length'; length: number }
  | { type: 'chunked' }
  | { type: 'close' }
  | { type: 'tunnel' };

/** The framing of a request body, or why the head cannot be framed. */
export function requestFraming(head: Head): Framing | string {
  const te = field(head, 'transfer-encoding');
  if (te !== undefined) return lastCoding(te) === 'chunked' ? { type: 'chunked' } : `request transfer-encoding ${JSON.stringify(te)} has no length`;
  return contentLength(head) ?? { type: 'length', length: 0 };
}

/** The framing of a response to a request with `method` (undefined: unknown), or why it cannot be framed. */
export function responseFraming(head: Head, method: string | undefined): Framing | string {
  const { status } = head;
  if (status === 101 || (method === 'CONNECT' && status >= 200 && status < 300)) return { type: 'tunnel' };
  if (method === 'HEAD' || (status >= 100 && status < 200) || status === 204 || status === 304) return { type: 'length', length: 0 };
  const te = field(head, 'transfer-encoding');
  if (te !== undefined) return lastCoding(te) === 'chunked' ? { type: 'chunked' } : { type: 'close' };
  return contentLength(head) ?? { type: 'close' };
}

/** Whether `head` is a request that leaves HTTP if the server agrees (CONNECT, Upgrade). */
export function asksForTunnel(head: Head): boolean {
  return head.method === 'CONNECT' || fieldHas(head, 'connection', 'upgrade');
}

function lastCoding(te: string): string {
  return (te.split(',').pop() ?? '').trim().toLowerCase();
}

function contentLength(head: Head): Framing | string | undefined {
  const value = field(head, 'content-length');
  if (value === undefined) return undefined;
  const values = new Set(value.split(',').map((v) => v.trim()));
  const [only] = values;
  if (values.size !== 1 || only === undefined || !/^\d{1,15}$/.test(only)) return `invalid content-length ${JSON.stringify(value)}`;
  return { type: 'length', length: Number(only) };
}

/** What a BodyReader reports for the bytes it is fed. */
export interface BodySink {
  /** A piece of the body as it was on the wire: payload (`true`) or framing. */
  piece(raw: Buffer, payload: boolean): void;
}

/** What feeding a BodyReader gave: bytes of the input it used (all reported), whether the body is complete, or why it is not HTTP. */
export interface BodyResult {
  used: number;
  done: boolean;
  invalid?: string;
}

type ChunkState = 'size' | 'data' | 'data-end' | 'trailer';

/** Walks one body with a given framing (not `tunnel`), reporting pieces (see the file comment). */
export class BodyReader {
  #framing: Framing;
  /** Bytes of content (length framing) or of the current chunk's data still to come. */
  #remaining: number;
  #chunk: ChunkState = 'size';
  /** The part of a size or trailer line read so far (bounded by MAX_LINE). */
  #line: Buffer[] = [];
  #lineLength = 0;

  constructor(framing: Framing) {
    this.#framing = framing;
    this.#remaining = framing.type === 'length' ? framing.length : 0;
  }

  /** Whether the body is complete before any byte (a zero length). */
  get empty(): boolean {
    return this.#framing.type === 'length' && this.#remaining === 0;
  }

  /** Bytes held (part of a chunk-size or trailer line). */
  get buffered(): number {
    return this.#lineLength;
  }

  /** Walks `data` from `offset`; reports pieces to `sink`. */
  feed(data: Buffer, offset: number, sink: BodySink): BodyResult {
    switch (this.#framing.type) {
      case 'length': {
        const n = Math.min(this.#remaining, data.length - offset);
        if (n > 0) sink.piece(data.subarray(offset, offset + n), true);
        this.#remaining -= n;
        return { used: n, done: this.#remaining === 0 };
      }
      case 'chunked':
        return this.#chunked(data, offset, sink);
      default:
        if (data.length > offset) sink.piece(data.subarray(offset), true);
        return { used: data.length - offset, done: false };
    }
  }

  #chunked(data: Buffer, offset: number, sink: BodySink): BodyResult {
    let i = offset;
    while (i < data.length) {
      if (this.#chunk === 'data') {
        const n = Math.min(this.#remaining, data.length - i);
        sink.piece(data.subarray(i, i + n), true);
        i += n;
        this.#remaining -= n;
        if (this.#remaining === 0) this.#chunk = 'data-end';
        continue;
      }
      // A size line, the CRLF after a chunk's data, or a trailer line: read up to LF.
      const newline = data.indexOf(10, i);
      const end = newline < 0 ? data.length : newline + 1;
      const piece = data.subarray(i, end);
      sink.piece(piece, false);
      i = end;
      if (newline < 0) {
        this.#line.push(piece);
        this.#lineLength += piece.length;
        if (this.#lineLength > MAX_LINE) return { used: i - offset, done: false, invalid: `chunk line longer than ${MAX_LINE} bytes` };
        continue;
      }
      const line = Buffer.concat([...this.#line, piece]).toString('latin1').replace(/\r?\n$/, '');
      this.#line = [];
      this.#lineLength = 0;
      if (this.#chunk === 'data-end') {
        if (line !== '') return { used: i - offset, done: false, invalid: 'chunk data longer than its size' };
        this.#chunk = 'size';
      } else if (this.#chunk === 'size') {
        const match = /^([0-9a-fA-F]{1,12})[ \t]*(;.*)?$/.exec(line);
        if (!match) return { used: i - offset, done: false, invalid: `invalid chunk size line ${JSON.stringify(line.slice(0, 40))}` };
        this.#remaining = parseInt(match[1] as string, 16);
        this.#chunk = this.#remaining === 0 ? 'trailer' : 'data';
      } else if (line === '') {
        return { used: i - offset, done: true };
      }
    }
    return { used: i - offset, done: false };
  }
}
