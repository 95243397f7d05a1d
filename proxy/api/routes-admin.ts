/**
 * `POST /reset`, `GET /version`, `/metrics`, and faultline's `GET /toxics` (the toxic types it knows).
 * A `--toxiproxy-only` server answers `/version` as Toxiproxy 2.12 does, has no `/toxics`, and
 * serves `/metrics` only when asked to (Toxiproxy's `-proxy-metrics` / `-runtime-metrics`).
 */
import type { FastifyInstance } from 'fastify';
import type { Registry } from '../registry.js';
import type { ToxicTypeJson } from '../../protocol/wire.js';
import { attributeNames, toxicDefinitions } from '../toxics/catalog.js';
import { FAULTLINE_VERSION, TOXIPROXY_VERSION } from '../version.js';
import type { Metrics } from './metrics.js';
import { sendEmpty, sendJson } from './reply.js';

/** Go's exact version body (note the space after each colon), plus faultline's own version. */
const VERSION_TEXT = `{"version": ${JSON.stringify(TOXIPROXY_VERSION)}, "faultline": ${JSON.stringify(FAULTLINE_VERSION)}}\n`;

/** Toxiproxy 2.12's version body, byte for byte. */
const TOXIPROXY_VERSION_TEXT = `{"version": ${JSON.stringify(TOXIPROXY_VERSION)}}\n`;

/**
 * Registers the server-wide routes on `api`: `/metrics` unless `metrics` is null; with
 * `toxiproxyOnly`, Toxiproxy's `/version` and no `/toxics`.
 */
export function adminRoutes(api: FastifyInstance, registry: Registry, metrics: Metrics | null, toxiproxyOnly: boolean): void {
  // Toxiproxy reads no body here; the Ruby client sends a JSON content type with an empty one.
  api.post('/reset', async (_request, reply) => {
    await registry.reset();
    return sendEmpty(reply, 204);
  });

  api.get('/version', async (_request, reply) =>
    sendJson(reply, 200, toxiproxyOnly ? TOXIPROXY_VERSION_TEXT : VERSION_TEXT, 'application/json;charset=utf-8'),
  );

  if (metrics) {
    // Like Toxiproxy's promhttp handler, any method is served.
    api.all('/metrics', async (_request, reply) => reply.code(200).type(metrics.contentType).send(await metrics.render()));
  }
  if (toxiproxyOnly) return;

  const types: ToxicTypeJson[] = toxicDefinitions().map((d) => ({ type: d.type, summary: d.summary, attributes: attributeNames(d.type) ?? [] }));
  api.get('/toxics', async (_request, reply) => sendJson(reply, 200, JSON.stringify(types)));
}
