/** noop: passes everything through (Toxiproxy registers it for its own tests). */
import { z } from 'zod';
import { defineToxic, passThrough } from './toxic.js';

/** The `noop` toxic. */
export const noop = defineToxic({
  type: 'noop',
  summary: 'passes data through unchanged',
  attributes: z.object({}),
  create: (_attrs, ctx) => passThrough(ctx),
});
