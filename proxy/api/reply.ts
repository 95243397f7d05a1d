/**
 * Writing responses byte-for-byte like Toxiproxy: JSON as `application/json` without a charset
 * (a Buffer stops fastify from appending one), errors as `{"error","status"}` plus a newline.
 */
import type { FastifyReply } from 'fastify';

/** Sends `text` (already serialised JSON) with `status`. */
export function sendJson(reply: FastifyReply, status: number, text: string, type = 'application/json'): FastifyReply {
  return reply.code(status).type(type).send(Buffer.from(text));
}

/** Go's content type of error bodies (`http.Error` overwrites the JSON one). */
export const GO_ERROR_TYPE = 'text/plain; charset=utf-8';

/** Sends Toxiproxy's error body; as JSON by default, our one difference (Go sends it as GO_ERROR_TYPE). */
export function sendError(reply: FastifyReply, status: number, message: string, type = 'application/json'): FastifyReply {
  reply.header('X-Content-Type-Options', 'nosniff');
  return sendJson(reply, status, `${JSON.stringify({ error: message, status })}\n`, type);
}

/** Sends `status` with an empty body and no content type (204s and 405s). */
export function sendEmpty(reply: FastifyReply, status: number): FastifyReply {
  return reply.code(status).send();
}

/** Sends a plain-text body the way Go's `http.Error` does. */
export function sendText(reply: FastifyReply, status: number, text: string): FastifyReply {
  reply.header('X-Content-Type-Options', 'nosniff');
  return reply.code(status).type('text/plain; charset=utf-8').send(text);
}
