/** `/proxies/{proxy}/toxics` and `/proxies/{proxy}/toxics/{toxic}`: list, create, show, update, delete. */
import type { FastifyInstance } from 'fastify';
import type { Registry } from '../registry.js';
import { toxicToJson } from '../toxic-set.js';
import { parseBody, toxicInputSchema, toxicPatchSchema } from './body.js';
import { sendEmpty, sendJson } from './reply.js';
import { toxiproxyPatch, toxiproxyToxic } from './toxiproxy-only.js';

/** The request shapes of these routes. */
interface ToxicsRoute {
  Params: { proxy: string };
  Body: Buffer | undefined;
}

/** The request shapes of the single-toxic routes. */
interface ToxicRoute {
  Params: { proxy: string; toxic: string };
  Body: Buffer | undefined;
}

/** Registers the toxic routes on `api`; `toxiproxyOnly` reads toxics as Toxiproxy 2.12 does (./toxiproxy-only.ts). */
export function toxicRoutes(api: FastifyInstance, registry: Registry, toxiproxyOnly = false): void {
  api.get<ToxicsRoute>('/proxies/:proxy/toxics', async (request, reply) => {
    const toxics = registry.get(request.params.proxy).toxicSet.list();
    return sendJson(reply, 200, JSON.stringify(toxics.map(toxicToJson)));
  });

  // Toxiproxy answers 200 here, not 201; clients accept either, we keep 200.
  api.post<ToxicsRoute>('/proxies/:proxy/toxics', async (request, reply) => {
    const proxy = registry.get(request.params.proxy);
    const input = parseBody(toxicInputSchema, request.body);
    const toxic = proxy.addToxic(toxiproxyOnly ? toxiproxyToxic(input) : input);
    return sendJson(reply, 200, JSON.stringify(toxicToJson(toxic)));
  });

  api.get<ToxicRoute>('/proxies/:proxy/toxics/:toxic', async (request, reply) => {
    const toxic = registry.get(request.params.proxy).toxicSet.get(request.params.toxic);
    return sendJson(reply, 200, JSON.stringify(toxicToJson(toxic)));
  });

  api.route<ToxicRoute>({
    method: ['POST', 'PATCH'],
    url: '/proxies/:proxy/toxics/:toxic',
    handler: async (request, reply) => {
      const proxy = registry.get(request.params.proxy);
      const { name, type } = proxy.toxicSet.get(request.params.toxic);
      const patch = parseBody(toxicPatchSchema(type), request.body);
      const toxic = proxy.updateToxic(name, toxiproxyOnly ? toxiproxyPatch(type, patch) : patch);
      return sendJson(reply, 200, JSON.stringify(toxicToJson(toxic)));
    },
  });

  api.delete<ToxicRoute>('/proxies/:proxy/toxics/:toxic', async (request, reply) => {
    registry.get(request.params.proxy).removeToxic(request.params.toxic);
    return sendEmpty(reply, 204);
  });
}
