/**
 * runScenarios: runs scenarios against a proxy server from code (what `faultline run` and
 * `faultline demo` call, and what test suites import from `faultline/harness`). For each scenario
 * and path it creates a fresh proxy in front of the upstream, points a new probe at it, runs the
 * scenario and deletes the proxies again.
 */
import { randomBytes } from 'node:crypto';
import { builtinScenarios } from './builtins.js';
import { Controller } from './controller.js';
import { HttpProbe, type HttpRequestTemplate } from './probes/http.js';
import type { CallLedgerSnapshot, McpProtocol } from './mcp-schema.js';
import { McpProbe, type ToolCall } from './probes/mcp.js';
import { McpAutoProbe } from './probes/mcp-auto.js';
import { McpModernProbe } from './probes/mcp-modern.js';
import { McpStdioProbe, relayCommand } from './probes/mcp-stdio.js';
import type { Probe, ProbeFactory, ProbeKind } from './probes/probe.js';
import { ConnectProbe, TcpProbe } from './probes/tcp.js';
import type { ScenarioResult } from './result.js';
import { runScenario, type PathTarget, type Progress } from './runner.js';
import { policySchema, ScenarioError, type Policy, type Scenario } from './scenario.js';
import { customToxicSteps, unknownTypeMessage } from './toxic-steps.js';
import type { Ledger } from './upstreams/upstream.js';

/** The service the probes reach through the proxy. */
export interface UpstreamTarget {
  /** `host:port` as the proxy server dials it (a service name in docker-compose). */
  address: string;
  /** Reads the service's ledger; leave out for a service without one (data loss then rests on the client's side). */
  ledger?: () => Promise<Ledger>;
  /** MCP: makes the server push a notification to its sessions (may resolve with its number). */
  notify?: () => Promise<unknown>;
  /** MCP: reads the server's call ledger (faultline's demo server serves it in `GET /ledger`). */
  calls?: () => Promise<CallLedgerSnapshot | undefined>;
  /**
   * mcp-stdio: the server command (argv) the probe starts behind `faultline stdio`, e.g. the demo
   * server `[node, faultline.js, 'upstream', 'mcp', '--stdio', '--journal', FILE]`.
   */
  stdioServer?: readonly string[];
  /** HTTP: the path of the MCP endpoint (default `/mcp`). */
  mcpPath?: string;
  /** MCP: the tools to call (default faultline's demo tools `record` and `read`). */
  mcpWrite?: ToolCall;
  mcpRead?: ToolCall;
  /** HTTP: the requests to send (default faultline's demo `POST /ops/{id}`, `GET /ops/{id}`). */
  httpWrite?: HttpRequestTemplate;
  httpRead?: HttpRequestTemplate;
}

/** Options of runScenarios. */
export interface RunScenariosOptions {
  /** The control API of a faultline (or Toxiproxy) server. */
  proxyUrl: string;
  /**
   * A built-in probe, or a factory making one probe per path of each scenario from its proxy's
   * address (your own client in the Probe contract; `clientProbes(command)` for an external one).
   */
  probe: ProbeKind | ProbeFactory;
  upstream: UpstreamTarget;
  /** Scenarios to run; default the six built-ins. */
  scenarios?: Scenario[];
  /** Overrides of every scenario's client policy (e.g. `{attempts: 1, queue: false}`: a fail-fast client). */
  policy?: Partial<Policy>;
  /** Recorded in the results; the server's own `--seed` decides the fault draws. */
  seed?: string;
  /** Host the proxies listen on (default 127.0.0.1; `0.0.0.0` when the harness runs on another host). */
  listenHost?: string;
  /** Host the probes connect to (default: the proxy server's host). */
  probeHost?: string;
  /** The proxy server runs in this process (its event times share our clock). */
  sameProcess?: boolean;
  /** The control API's bearer token, if it requires one. */
  token?: string;
  /** MCP: the protocol generation to speak (default: the newest the server offers, among those a scenario is meant for). */
  mcpProtocol?: McpProtocol;
  /** A scenario not run, and why (one not meant for the pinned MCP protocol). */
  onSkip?: (scenario: Scenario, reason: string) => void;
  onProgress?: (progress: Progress) => void;
  onResult?: (result: ScenarioResult) => void;
}

export type { ProbeKind, ProbeFactory, ProbeTarget } from './probes/probe.js';

/**
 * Runs the scenarios one after another and returns their results. Every control API they need is
 * reached first, and a scenario a faultline server would refuse (a toxic type it does not know)
 * stops everything with a ScenarioError before any proxy is created.
 */
export async function runScenarios(options: RunScenariosOptions): Promise<ScenarioResult[]> {
  const pinned = options.mcpProtocol;
  const scenarios = (options.scenarios ?? (await builtinScenarios())).filter((scenario) => {
    if (options.probe !== 'http' && Object.keys(scenario.client_addresses ?? {}).length > 0) {
      options.onSkip?.(scenario, 'its clients connect from given addresses (client_addresses), which only the http probe does');
      return false;
    }
    if (typeof options.probe === 'string' && scenario.probes && !scenario.probes.includes(options.probe)) {
      options.onSkip?.(scenario, `meant for probe ${scenario.probes.join(', ')}, not ${options.probe}`);
      return false;
    }
    const meant = scenario.mcp_protocols;
    if (options.probe !== 'mcp' || !pinned || !meant || meant.includes(pinned)) return true;
    options.onSkip?.(scenario, `meant for MCP ${meant.join(', ')}, not ${pinned}`);
    return false;
  });
  const controllers = new Map<string, Controller>();
  /** The controller of a control API, connected on first use (a scenario may name several servers). */
  const controllerFor = async (url: string): Promise<Controller> => {
    let controller = controllers.get(url);
    if (!controller) {
      controller = new Controller(url, {
        sameClock: (options.sameProcess ?? false) && url === options.proxyUrl,
        ...(options.token ? { token: options.token } : {}),
      });
      await controller.connect();
      controllers.set(url, controller);
    }
    return controller;
  };
  const serverOf = (scenario: Scenario, path: string): string => scenario.servers[path] ?? options.proxyUrl;
  try {
    for (const scenario of scenarios) for (const path of scenario.paths) await controllerFor(serverOf(scenario, path));
  } catch (err) {
    for (const controller of controllers.values()) controller.close();
    throw err;
  }
  const refused = scenarios.flatMap((scenario) =>
    customToxicSteps(scenario.steps)
      .filter((step) => controllers.get(serverOf(scenario, step.path))?.capabilities.faultline)
      .map((step) => `${scenario.source ?? scenario.name}: invalid scenario\n  ${unknownTypeMessage(step)}`),
  );
  if (refused.length) {
    for (const controller of controllers.values()) controller.close();
    throw new ScenarioError(refused.join('\n'));
  }
  const runId = randomBytes(3).toString('hex');
  const results: ScenarioResult[] = [];
  try {
    for (const scenario of scenarios) {
      const paths: Record<string, PathTarget> = {};
      for (const path of scenario.paths) {
        const controller = await controllerFor(serverOf(scenario, path));
        const probeHost = options.probeHost ?? new URL(controller.url).hostname.replace(/^\[|\]$/g, '');
        const kind = typeof options.probe === 'string' ? options.probe : 'custom';
        const proxy = `faultline_${kind}_${scenario.name}_${path}`.slice(0, 64);
        const listen = await controller.ensureProxy(proxy, options.upstream.address, `${options.listenHost ?? '127.0.0.1'}:0`);
        const port = Number(listen.slice(listen.lastIndexOf(':') + 1));
        const { repair_stream } = policySchema.parse({ ...scenario.policy, ...options.policy });
        const protocol = pinned ?? scenario.mcp_protocols?.at(-1);
        const clients = scenario.clients?.[path] ?? 1;
        const addresses = scenario.client_addresses?.[path];
        let probes: Probe[];
        try {
          probes = Array.from({ length: clients }, (_, c) => {
            const from = addresses?.[c % addresses.length];
            return typeof options.probe === 'string'
              ? makeProbe(options.probe, probeHost, port, options.upstream, path, repair_stream, protocol, { proxy, url: controller.url, token: options.token }, from)
              : options.probe({ host: probeHost, port, path, scenario: scenario.name, ...(clients > 1 ? { client: c } : {}) });
          });
        } catch (err) {
          for (const made of [...Object.values(paths), { controller, proxy }]) await made.controller.removeProxy(made.proxy).catch(() => undefined);
          throw new Error(`the probe of path ${path} in ${scenario.name} could not be made: ${(err as Error).message}`, { cause: err });
        }
        paths[path] = { controller, proxy, probe: probes[0] as Probe, ...(clients > 1 ? { clients: probes } : {}) };
      }
      const result = await runScenario({
        scenario,
        paths,
        ...(options.policy ? { policy: options.policy } : {}),
        ...(options.upstream.ledger ? { ledger: options.upstream.ledger } : {}),
        ...(options.upstream.notify ? { notify: options.upstream.notify } : {}),
        ...(options.upstream.calls ? { calls: options.upstream.calls } : {}),
        runId,
        seed: options.seed ?? 'unset',
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
      for (const { controller, proxy } of Object.values(paths)) await controller.removeProxy(proxy).catch(() => undefined);
      results.push(result);
      options.onResult?.(result);
    }
  } finally {
    for (const controller of controllers.values()) controller.close();
  }
  return results;
}

/** The proxy of a path and its control API (where an mcp-stdio probe's relay takes its faults). */
interface ProxyRef {
  proxy: string;
  url: string;
  token: string | undefined;
}

function makeProbe(
  kind: ProbeKind,
  host: string,
  port: number,
  upstream: UpstreamTarget,
  path: string,
  repairStream: boolean,
  protocol: McpProtocol | undefined,
  ref: ProxyRef,
  localAddress?: string,
): Probe {
  const hostPort = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const label = `${kind} ${path} → ${hostPort}`;
  switch (kind) {
    case 'tcp':
      return new TcpProbe({ host, port, label });
    case 'connect':
      return new ConnectProbe({ host, port, label });
    case 'http':
      return new HttpProbe({
        url: `http://${hostPort}`,
        label,
        ...(localAddress ? { localAddress } : {}),
        ...(upstream.httpWrite ? { write: upstream.httpWrite } : {}),
        ...(upstream.httpRead ? { read: upstream.httpRead } : {}),
      });
    case 'mcp-stdio': {
      if (!upstream.stdioServer) throw new Error('probe mcp-stdio needs the server command to start (UpstreamTarget.stdioServer)');
      const { command, args } = relayCommand(ref.proxy, ref.url, upstream.stdioServer, ref.token);
      return new McpStdioProbe({
        command,
        args,
        label: `mcp-stdio ${path} → ${ref.proxy}`,
        ...(upstream.mcpWrite ? { write: upstream.mcpWrite } : {}),
        ...(upstream.mcpRead ? { read: upstream.mcpRead } : {}),
      });
    }
    case 'mcp': {
      const options = {
        url: `http://${hostPort}${upstream.mcpPath ?? '/mcp'}`,
        label,
        repairStream,
        ...(upstream.mcpWrite ? { write: upstream.mcpWrite } : {}),
        ...(upstream.mcpRead ? { read: upstream.mcpRead } : {}),
      };
      if (protocol === '2025-11-25') return new McpProbe(options);
      return protocol === '2026-07-28' ? new McpModernProbe(options) : new McpAutoProbe(options);
    }
  }
}
