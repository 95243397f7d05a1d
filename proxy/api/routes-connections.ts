/**
 * Our extension: the live connections of a proxy, and one-shot cuts that leave new connections
 * alone (Toxiproxy issue #465). `GET /proxies/{proxy}/connections`,
 * `DELETE /proxies/{proxy}/connections[/{id}]?mode=reset|close`.
 */
import type { FastifyInstance } from 'fastify';
import type { Connection } from '../connection.js';
import { FaultlineError } from '../errors.js';
import type { Registry } from '../registry.js';
import { CUT_MODES, type ConnectionJson, type CutMode } from '../../protocol/wire.js';
import { sendJson } from './reply.js';

interface ConnectionsRoute {
  Params: { proxy: string; id?: string };
  Querystring: { mode?: string };
}

/** The wire shape of a live connection. */
export function connectionToJson(connection: Connection): ConnectionJson {
  return {
    id: connection.id,
    client: connection.clientAddress,
    opened_at: new Date(connection.openedAt).toISOString(),
    state: connection.state,
    bytes_up: connection.up?.bytesOut ?? 0,
    bytes_down: connection.down?.bytesOut ?? 0,
    toxics: { upstream: connection.up?.activeToxics ?? [], downstream: connection.down?.activeToxics ?? [] },
  };
}

function modeOf(mode: string | undefined): CutMode {
  if (mode === undefined) return 'reset';
  if ((CUT_MODES as readonly string[]).includes(mode)) return mode as CutMode;
  throw new FaultlineError('ERR_INVALID_FIELD', 'mode: must be "reset" or "close"', { field: 'mode' });
}

function idOf(id: string | undefined): number {
  const n = Number(id);
  if (!/^\d{1,15}$/.test(id ?? '') || !Number.isSafeInteger(n)) {
    throw new FaultlineError('ERR_CONNECTION_NOT_FOUND', `connection ${JSON.stringify(id)} not found`);
  }
  return n;
}

/** Registers the connection routes on `api`. */
export function connectionRoutes(api: FastifyInstance, registry: Registry): void {
  api.get<ConnectionsRoute>('/proxies/:proxy/connections', async (request, reply) => {
    const proxy = registry.get(request.params.proxy);
    return sendJson(reply, 200, JSON.stringify(proxy.connections.map(connectionToJson)));
  });

  api.delete<ConnectionsRoute>('/proxies/:proxy/connections', async (request, reply) => {
    const proxy = registry.get(request.params.proxy);
    const cut = proxy.cut(undefined, modeOf(request.query.mode));
    return sendJson(reply, 200, JSON.stringify({ cut }));
  });

  api.delete<ConnectionsRoute>('/proxies/:proxy/connections/:id', async (request, reply) => {
    const proxy = registry.get(request.params.proxy);
    const mode = modeOf(request.query.mode);
    const cut = proxy.cut(idOf(request.params.id), mode);
    return sendJson(reply, 200, JSON.stringify({ cut }));
  });
}
