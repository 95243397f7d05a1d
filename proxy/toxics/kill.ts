/**
 * kill: the server crashes. Over stdio (`faultline stdio`) the relay sends `signal` to the child
 * process once, when the toxic becomes active; the child dies and the client sees it exit. On a
 * TCP proxy there is no process to signal: every connection it is active on, live or new, is
 * reset (what a client sees when the server's process dies and its kernel answers with RST).
 */
import { constants } from 'node:os';
import { z } from 'zod';
import { defineToxic } from './toxic.js';

const SIGNALS = Object.keys(constants.signals);

/** The `kill` attributes: the signal name (SIGKILL, SIGTERM, SIGSEGV, …). */
const killAttributes = z.object({
  signal: z
    .string({ error: 'must be a signal name such as "SIGKILL"' })
    .refine((name) => SIGNALS.includes(name), { error: 'must be a signal name such as "SIGKILL" or "SIGTERM"' })
    .default('SIGKILL'),
});

/** The `kill` toxic (its TCP behaviour; the stdio relay replaces `create`). */
export const kill = defineToxic({
  type: 'kill',
  summary: 'stdio: sends signal (default SIGKILL) to the server process; TCP: resets every connection, live and new',
  attributes: killAttributes,
  cutOnAccept: () => 'reset',
  create: (attrs, ctx) => {
    ctx.tripped(`kill (${attrs.signal}): reset`);
    ctx.cut('reset', `kill (${attrs.signal})`);
    return { write: () => undefined, end: () => undefined };
  },
});
