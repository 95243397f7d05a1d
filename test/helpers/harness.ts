/** Runs built-in scenarios end to end: an in-process faultline server, a demo upstream, a probe. */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { startServer, type ServerOptions } from '../../proxy/api/server.js';
import { runScenarios } from '../../harness/run-scenarios.js';
import type { ScenarioResult } from '../../harness/result.js';
import type { Policy, Scenario } from '../../harness/scenario.js';
import { startEchoUpstream } from '../../harness/upstreams/echo.js';
import { startHttpUpstream } from '../../harness/upstreams/http.js';
import { startMcpUpstream } from '../../harness/upstreams/mcp.js';
import type { Upstream } from '../../harness/upstreams/upstream.js';
import type { Teardown } from './net.js';

/** Starts the demo upstream of `kind`, closed at teardown. */
export async function demoUpstream(t: Teardown, kind: 'tcp' | 'http' | 'mcp'): Promise<Upstream> {
  const upstream = kind === 'mcp' ? await startMcpUpstream() : kind === 'http' ? await startHttpUpstream() : await startEchoUpstream();
  t.teardown(() => upstream.close());
  return upstream;
}

/** Runs `scenarios` with probe `kind` against a fresh in-process server (started with `server` options) and demo upstream. */
export async function runDemo(
  t: Teardown,
  kind: 'tcp' | 'http' | 'mcp',
  scenarios?: Scenario[],
  policy?: Partial<Policy>,
  server: ServerOptions = {},
): Promise<{ results: ScenarioResult[]; upstream: Upstream }> {
  const running = await startServer({ host: '127.0.0.1', port: 0, seed: '1', ...server });
  t.teardown(() => running.close());
  const upstream = await demoUpstream(t, kind);
  const results = await runScenarios({
    proxyUrl: running.url,
    probe: kind,
    upstream: {
      address: upstream.address,
      ledger: async () => upstream.ledger(),
      ...(upstream.notify ? { notify: () => (upstream.notify as () => Promise<number>)() } : {}),
    },
    ...(scenarios ? { scenarios } : {}),
    ...(policy ? { policy } : {}),
    seed: '1',
    sameProcess: true,
  });
  return { results, upstream };
}

const schema = JSON.parse(readFileSync(new URL('../../harness/result.schema.json', import.meta.url), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

/** Validates results against harness/result.schema.json; returns the errors (empty when valid). */
export function schemaErrors(results: unknown): string[] {
  return validate(JSON.parse(JSON.stringify(results))) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}
