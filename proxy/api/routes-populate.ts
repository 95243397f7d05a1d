/**
 * `POST /populate`: add or replace proxies in bulk. Every answer, errors included, has a `proxies`
 * member: `null` when nothing was attempted (bad body, invalid entry), else the proxies done.
 */
import type { FastifyInstance } from 'fastify';
import { FaultlineError, isFaultlineError } from '../errors.js';
import type { PopulateResult, Registry } from '../registry.js';
import { parseBody, populateSchema } from './body.js';
import { populateText } from './dto.js';
import { sendJson } from './reply.js';
import { messageOf, statusOf } from './status.js';

/** Registers `POST /populate` on `api`. */
export function populateRoute(api: FastifyInstance, registry: Registry): void {
  api.post<{ Body: Buffer | undefined }>('/populate', async (request, reply) => {
    const outcome = await populate(registry, request.body);
    if (outcome instanceof FaultlineError) {
      const status = statusOf(outcome.code);
      return sendJson(reply, status, populateText(null, { message: messageOf(outcome), status }));
    }
    const { proxies, error } = outcome;
    if (!error) return sendJson(reply, 201, populateText(proxies));
    const status = statusOf(error.code);
    return sendJson(reply, status, populateText(proxies, { message: messageOf(error), status }));
  });
}

/** Runs populate; an error raised before any proxy was touched (bad body, invalid entry) is returned. */
async function populate(registry: Registry, body: Buffer | undefined): Promise<PopulateResult | FaultlineError> {
  try {
    return await registry.populate(parseBody(populateSchema, body, 'array'));
  } catch (err) {
    if (isFaultlineError(err)) return err;
    throw err;
  }
}
