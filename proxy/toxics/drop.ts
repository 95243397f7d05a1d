/**
 * drop: cuts connections. While present, every live connection it is active on is cut at once,
 * and every new one is cut right after accept, before the upstream is dialled (the server never
 * sees it). `mode`: `reset` (RST, ECONNRESET) or `close` (FIN). Removing it lets new connections
 * through again. The cut ends the whole connection, whichever `stream` the toxic is on.
 */
import { z } from 'zod';
import { cutMode } from './cut-mode.js';
import { defineToxic } from './toxic.js';

const attributes = z.object({ mode: cutMode() });

/** The `drop` toxic. */
export const drop = defineToxic({
  type: 'drop',
  summary: 'cuts every connection, live and new, with RST (mode reset) or FIN (mode close)',
  attributes,
  cutOnAccept: (attrs) => attrs.mode,
  create: (attrs, ctx) => {
    ctx.tripped(`drop (${attrs.mode})`);
    ctx.cut(attrs.mode, `drop (${attrs.mode})`);
    return { write: () => undefined, end: () => undefined };
  },
});
