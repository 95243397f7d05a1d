/** `POST /reset`, `GET /version`, `/metrics`, and faultline's `GET /toxics` (the toxic types it knows). */
import type { FastifyInstance } from 'fastify';
import type { Registry } from '../registry.js';
import type { ToxicTypeJson } from '../../protocol/wire.js';
import { attributeNames, toxicDefinitions } from '../toxics/catalog.js';
import { FAULTLINE_VERSION, TOXIPROXY_VERSION } from '../version.js';
import type { Metrics } from './metrics.js';
import { sendEmpty, sendJson } from './reply.js';

/** Go's exact version body (note the space after each colon), plus faultline's own version. */
const VERSION_TEXT = `{"version": ${JSON.stringify(TOXIPROXY_VERSION)}, "faultline": ${JSON.stringify(FAULTLINE_VERSION)}}\n`;

/** Registers the server-wide routes on `api`. */
export function adminRoutes(api: FastifyInstance, registry: Registry, metrics: Metrics): void {
  // Toxiproxy reads no body here; the Ruby client sends a JSON content type with an empty one.
  api.post('/reset', async (_request, reply) => {
    await registry.reset();
    return sendEmpty(reply, 204);
  });

  api.get('/version', async (_request, reply) =>
    sendJson(reply, 200, VERSION_TEXT, 'application/json;charset=utf-8'),
  );

  const types: ToxicTypeJson[] = toxicDefinitions().map((d) => ({ type: d.type, summary: d.summary, attributes: attributeNames(d.type) ?? [] }));
  api.get('/toxics', async (_request, reply) => sendJson(reply, 200, JSON.stringify(types)));

  // Like Toxiproxy's promhttp handler, any method is served.
  api.all('/metrics', async (_request, reply) =>
    reply.code(200).type(metrics.contentType).send(await metrics.render()),
  );
}
