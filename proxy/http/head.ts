/**
 * The head of an HTTP/1.1 message (start line and header fields), read incrementally and bounded:
 * bytes are kept only until the blank line that ends the head, at most MAX_HEAD of them, and the
 * start line is checked as it arrives, so a stream that is not HTTP is recognised from its first
 * bytes instead of being held while waiting for a blank line that never comes.
 */

/** The largest head kept (start line and fields); a longer one is not treated as HTTP. */
export const MAX_HEAD = 64 * 1024;
/** The longest start line looked at before the stream is judged not to be HTTP. */
const MAX_START_LINE = 8 * 1024;

/** Whether a head starts a request or a response. */
export type MessageKind = 'request' | 'response';

/** A parsed head: a request (`method`, `target`) or a response (`status`); field names lower-cased. */
export interface Head {
  readonly kind: MessageKind;
  readonly version: string;
  readonly method: string;
  readonly target: string;
  readonly status: number;
  readonly fields: ReadonlyArray<readonly [string, string]>;
}

/** The values of field `name` (lower case) joined with ", ", or undefined when absent. */
export function field(head: Head, name: string): string | undefined {
  const values = head.fields.filter(([n]) => n === name).map(([, v]) => v);
  return values.length === 0 ? undefined : values.join(', ');
}

/** Whether comma-separated field `name` lists `token` (case-insensitive), e.g. `connection: close`. */
export function fieldHas(head: Head, name: string, token: string): boolean {
  return (field(head, name) ?? '').split(',').some((t) => t.trim().toLowerCase() === token);
}

// A prefix of a request line (method SP target SP HTTP/x.y) or of a status line (HTTP/x.y SP nnn SP reason).
const TCHAR = "[-!#$%&'*+.^_`|~0-9A-Za-z]";
const REQUEST_PREFIX = new RegExp(`^(${TCHAR}{0,32}|${TCHAR}{1,32} [^\\x00-\\x20\\x7f]*|${TCHAR}{1,32} [^\\x00-\\x20\\x7f]+ (H(T(T(P(/(\\d(\\.(\\d\\r?)?)?)?)?)?)?)?)?)$`);
const RESPONSE_PREFIX = /^(H(T(T(P(\/(\d(\.(\d( (\d(\d(\d( [^\n]*)?)?)?)?)?)?)?)?)?)?)?)?)$/;
const REQUEST_LINE = new RegExp(`^(${TCHAR}+) ([^\\x00-\\x20\\x7f]+) HTTP/(\\d\\.\\d)$`);
const STATUS_LINE = /^HTTP\/(\d\.\d) (\d{3})(?: [^\n]*)?$/;
const FIELD_LINE = new RegExp(`^(${TCHAR}+):[ \\t]*(.*?)[ \\t]*$`);

/** What feeding a HeadReader gave: need more bytes, a complete head (and where it ended), or not HTTP. */
export type HeadResult =
  | { state: 'partial' }
  | { state: 'complete'; head: Head; raw: Buffer; used: number }
  | { state: 'invalid'; reason: string };

/** Collects the bytes of one head until it is complete (see the file comment). */
export class HeadReader {
  readonly #kind: MessageKind;
  #parts: Buffer[] = [];
  #length = 0;
  /** Where the search for the end of the head resumes (so each byte is scanned once). */
  #scanned = 0;
  #lineDone = false;
  /** Where the start line begins (after blank lines before a request). */
  #lineStart = 0;

  constructor(kind: MessageKind) {
    this.#kind = kind;
  }

  /** Bytes held (an incomplete head). */
  get buffered(): number {
    return this.#length;
  }

  /** Hands back the bytes held and starts over (the stream is passed through from here). */
  take(): Buffer[] {
    const parts = this.#parts;
    this.#parts = [];
    this.#length = 0;
    this.#scanned = 0;
    this.#lineDone = false;
    this.#lineStart = 0;
    return parts;
  }

  /** Adds `data`; when the head completes, `used` says how many bytes of `data` it took. */
  feed(data: Buffer): HeadResult {
    const before = this.#length;
    this.#parts.push(data);
    this.#length += data.length;
    const buffer = this.#parts.length === 1 ? data : Buffer.concat(this.#parts, this.#length);
    this.#parts = [buffer];
    // Blank lines before a request line are ignored (RFC 9112 §2.2).
    if (!this.#lineDone) {
      const start = this.#kind === 'request' ? leadingNewlines(buffer) : 0;
      const newline = buffer.indexOf(10, start);
      const line = buffer.subarray(start, newline < 0 ? Math.min(buffer.length, start + MAX_START_LINE) : newline).toString('latin1');
      const pattern = newline < 0 ? (this.#kind === 'request' ? REQUEST_PREFIX : RESPONSE_PREFIX) : this.#kind === 'request' ? REQUEST_LINE : STATUS_LINE;
      if (!pattern.test(line.replace(/\r$/, '')) || (newline < 0 && buffer.length - start > MAX_START_LINE)) {
        return { state: 'invalid', reason: `not an HTTP/1.x ${this.#kind} line: ${JSON.stringify(line.slice(0, 40))}` };
      }
      if (newline < 0) return { state: 'partial' };
      this.#lineDone = true;
      this.#lineStart = start;
    }
    const end = headEnd(buffer, Math.max(this.#lineStart, this.#scanned - 3));
    if (end < 0) {
      this.#scanned = buffer.length;
      if (buffer.length > MAX_HEAD) return { state: 'invalid', reason: `${this.#kind} head larger than ${MAX_HEAD} bytes` };
      return { state: 'partial' };
    }
    const raw = buffer.subarray(0, end);
    const parsed = parseHead(this.#kind, raw);
    this.take();
    if (typeof parsed === 'string') return { state: 'invalid', reason: parsed };
    return { state: 'complete', head: parsed, raw, used: end - before };
  }
}

function leadingNewlines(buffer: Buffer): number {
  let i = 0;
  while (i < buffer.length && (buffer[i] === 13 || buffer[i] === 10)) i++;
  return i;
}

/** The index just past the blank line ending the head (CRLFCRLF or bare LFLF), or -1. */
function headEnd(buffer: Buffer, from: number): number {
  for (let i = buffer.indexOf(10, from); i >= 0; i = buffer.indexOf(10, i + 1)) {
    if (buffer[i + 1] === 10) return i + 2;
    if (buffer[i + 1] === 13 && buffer[i + 2] === 10) return i + 3;
  }
  return -1;
}

/** Parses a complete head, or says why it is not HTTP. */
function parseHead(kind: MessageKind, raw: Buffer): Head | string {
  const lines = raw.toString('latin1').replace(/^[\r\n]+/, '').split(/\r?\n/);
  const startLine = lines.shift() ?? '';
  const fields: Array<[string, string]> = [];
  for (const line of lines) {
    if (line === '') continue;
    const match = FIELD_LINE.exec(line);
    if (!match) return `malformed ${kind} header line: ${JSON.stringify(line.slice(0, 40))}`;
    fields.push([(match[1] as string).toLowerCase(), match[2] as string]);
  }
  if (kind === 'request') {
    const match = REQUEST_LINE.exec(startLine);
    if (!match) return `malformed request line: ${JSON.stringify(startLine.slice(0, 40))}`;
    return { kind, method: match[1] as string, target: match[2] as string, version: match[3] as string, status: 0, fields };
  }
  const match = STATUS_LINE.exec(startLine);
  if (!match) return `malformed status line: ${JSON.stringify(startLine.slice(0, 40))}`;
  return { kind, method: '', target: '', version: match[1] as string, status: Number(match[2]), fields };
}
