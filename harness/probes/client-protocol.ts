/**
 * The client adapter protocol, one JSON object per line (README: "Test your own client").
 * Harness → client on stdin: `{"id","kind":"write"|"read","payload","timeout_ms"}`.
 * Client → harness on stdout: `{"id","ok":true,"value"?}`, `{"id","ok":false,"error"}`, or an event
 * `{"event":"disconnected"|"reconnected"|"ready","detail"?}`. Extra fields are ignored; a line that
 * is none of these is an error naming the field.
 */
import { z } from 'zod';
import type { Operation } from './probe.js';

/** The line the harness writes for `op`, with `timeoutMs` as its budget. */
export function requestLine(op: Operation, timeoutMs: number): string {
  return `${JSON.stringify({ id: op.id, kind: op.kind, payload: op.payload, timeout_ms: Math.round(timeoutMs) })}\n`;
}

/** What one client line says. */
export type ClientLine =
  | { readonly type: 'answer'; readonly id: string; readonly ok: true; readonly value?: string }
  | { readonly type: 'answer'; readonly id: string; readonly ok: false; readonly error: string }
  | { readonly type: 'event'; readonly event: 'disconnected' | 'reconnected' | 'ready'; readonly detail?: string };

/** A client line that is not the protocol; the message names the field. */
export class ClientProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClientProtocolError';
  }
}

const id = z.string({ error: '"id" must be a string (the id of the operation answered)' }).min(1, { error: '"id" must not be empty' });

const answerSchema = z.discriminatedUnion(
  'ok',
  [
    z.object({ id, ok: z.literal(true), value: z.string({ error: '"value" must be a string' }).optional() }),
    z.object({ id, ok: z.literal(false), error: z.string({ error: '"error" must be a string (a short error kind, e.g. "ECONNRESET") when "ok" is false' }).min(1, { error: '"error" must not be empty' }) }),
  ],
  { error: '"ok" must be true or false' },
);

const eventSchema = z.object({
  event: z.enum(['disconnected', 'reconnected', 'ready'], { error: '"event" must be one of disconnected, reconnected, ready' }),
  detail: z.string({ error: '"detail" must be a string' }).optional(),
});

/** Parses one line the client wrote (without its newline). */
export function parseClientLine(line: string): ClientLine {
  let data: unknown;
  try {
    data = JSON.parse(line);
  } catch {
    throw new ClientProtocolError('not JSON');
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new ClientProtocolError('not a JSON object');
  if ('event' in data) {
    const parsed = eventSchema.safeParse(data);
    if (!parsed.success) throw new ClientProtocolError(firstMessage(parsed.error, data));
    const { event, detail } = parsed.data;
    return { type: 'event', event, ...(detail === undefined ? {} : { detail: detail.slice(0, 200) }) };
  }
  const parsed = answerSchema.safeParse(data);
  if (!parsed.success) throw new ClientProtocolError(firstMessage(parsed.error, data));
  const answer = parsed.data;
  if (!answer.ok) return { type: 'answer', id: answer.id, ok: false, error: answer.error.slice(0, 60) };
  return { type: 'answer', id: answer.id, ok: true, ...(answer.value === undefined ? {} : { value: answer.value }) };
}

/** A line quoted for a message: trimmed, at most 200 characters. */
export function quote(line: string): string {
  const trimmed = line.trim();
  return JSON.stringify(trimmed.length > 200 ? `${trimmed.slice(0, 200)}…` : trimmed);
}

/** The first issue in words, naming its field; a field that is not there is "missing". */
function firstMessage(error: z.ZodError, data: object): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const field = issue.path[0];
  if (issue.path.length === 1 && typeof field === 'string' && !(field in data)) return `"${field}" is missing`;
  return issue.message;
}
