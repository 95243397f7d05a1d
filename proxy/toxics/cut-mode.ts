/** The `mode` / `action` attribute shared by the toxics that cut connections. */
import { z } from 'zod';

/** `reset` (RST: the peer sees ECONNRESET) or `close` (FIN: the peer sees a clean end). */
export function cutMode() {
  return z.enum(['reset', 'close'], { error: 'must be "reset" or "close"' }).default('reset');
}
