/** The `mode` / `action` attribute shared by the toxics that cut connections. */
import { z } from 'zod';
import { CUT_MODES } from '../../protocol/wire.js';

/** `reset` (RST: the peer sees ECONNRESET) or `close` (FIN: the peer sees a clean end). */
export function cutMode() {
  return z.enum(CUT_MODES, { error: 'must be "reset" or "close"' }).default('reset');
}
