/** `/proxies` and `/proxies/{proxy}`: list, create, show, update (POST or PATCH), delete. */
import type { FastifyInstance } from 'fastify';
import type { Registry } from '../registry.js';
import { parseBody, populateEntrySchema, proxyInputSchema, proxyPatchSchema } from './body.js';
import { proxyMapText, proxyToJson } from './dto.js';
import { sendEmpty, sendJson } from './reply.js';

/** The request shapes of these routes. */
interface ProxyRoute {
  Params: { proxy: string };
  Body: Buffer | undefined;
}

/** Registers the proxy routes on `api`; `toxiproxyOnly` ignores `toxics` in a new proxy, as Toxiproxy does. */
export function proxyRoutes(api: FastifyInstance, registry: Registry, toxiproxyOnly = false): void {
  const createSchema = toxiproxyOnly ? populateEntrySchema : proxyInputSchema;
  api.get('/proxies', async (_request, reply) => sendJson(reply, 200, proxyMapText(registry.list())));

  api.post<{ Body: Buffer | undefined }>('/proxies', async (request, reply) => {
    const proxy = await registry.create(parseBody(createSchema, request.body));
    return sendJson(reply, 201, JSON.stringify(proxyToJson(proxy)));
  });

  api.get<ProxyRoute>('/proxies/:proxy', async (request, reply) =>
    sendJson(reply, 200, JSON.stringify(proxyToJson(registry.get(request.params.proxy)))),
  );

  // Toxiproxy deprecated POST for updates in 2.6 but still serves it; the node client only uses POST.
  api.route<ProxyRoute>({
    method: ['POST', 'PATCH'],
    url: '/proxies/:proxy',
    handler: async (request, reply) => {
      const { name } = registry.get(request.params.proxy);
      const proxy = await registry.update(name, parseBody(proxyPatchSchema, request.body));
      return sendJson(reply, 200, JSON.stringify(proxyToJson(proxy)));
    },
  });

  api.delete<ProxyRoute>('/proxies/:proxy', async (request, reply) => {
    await registry.remove(request.params.proxy);
    return sendEmpty(reply, 204);
  });
}
