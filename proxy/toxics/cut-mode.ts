/** The `mode` / `action` attributes shared by the toxics that cut connections. */
import { z } from 'zod';
import { CUT_MODES } from '../../protocol/wire.js';

/** `reset` (RST: the peer sees ECONNRESET) or `close` (FIN: the peer sees a clean end). */
export function cutMode() {
  return z.enum(CUT_MODES, { error: 'must be "reset" or "close"' }).default('reset');
}

/** A cut mode, or `blackhole` (the connection stays open, silent in the toxic's stream); `reset` by default. */
export function cutAction() {
  return z.enum([...CUT_MODES, 'blackhole'], { error: 'must be "reset", "close" or "blackhole"' }).default('reset');
}
