/**
 * Scenarios are data: a YAML or JSON file (or a typed object) naming the client → server paths
 * it needs, the timed steps to run on them, and the outcome it expects. This file holds the
 * schema (zod, so every error names the step and field) and the loader.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { callStepSchema, type CallStep, type DuringAction } from './call-step.js';
import { mcpProtocolSchema } from './mcp-schema.js';
import { flakyAttributes, latencyAttributes } from '../proxy/toxics/catalog.js';
import { clientSelectorSchema } from '../proxy/client-selector.js';
import type { ClientSelector } from '../protocol/wire.js';
import { toxicStepIssues } from './toxic-steps.js';

const pathName = z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, { error: 'must be a lowercase name like "primary"' });
const pathRef = { path: pathName.default('primary') };
const count = z.number().int().min(1).max(10_000);
const ms = z.number().int().min(0).max(600_000);
/** Concurrent clients on a path: each its own probe (connection; for MCP its own session). */
const clientCount = z.number().int().min(1).max(1000);
/** Requests per second of each client. */
const rate = z.number().positive().max(1000);
/** Requests per second of all clients of a path together. */
const rps = z.number().positive().max(100_000);
const loopback = z.ipv4({ error: 'must be an IPv4 address' }).regex(/^127\./, { error: 'must be a loopback address (127.0.0.0/8)' });

/** The client policy of a probe: how it reacts to a failed attempt. */
export const policySchema = z
  .object({
    /** Attempts per request (1 = fail fast). */
    attempts: z.number().int().min(1).max(20).default(3),
    /** Wait before the first retry; doubles after each one. */
    backoff_ms: ms.default(50),
    /** How long one attempt may take before the probe gives up (a black hole is only seen through it). */
    timeout_ms: z.number().int().min(10).max(600_000).default(500),
    /** Queue writes that failed every attempt and replay them once the path works again. */
    queue: z.boolean().default(true),
    /** Answer reads that failed every attempt from the last good answer. */
    cache: z.boolean().default(true),
    /** MCP: re-open the notification stream when the SDK has given up on it (false: the SDK alone). */
    repair_stream: z.boolean().default(true),
  })
  .strict();

/** A client policy, complete. */
export type Policy = z.infer<typeof policySchema>;

const send = z.union([
  count,
  z
    .object({
      count,
      paths: z.array(pathName).min(1).optional(),
      path: pathName.optional(),
      kind: z.enum(['write', 'read']).default('write'),
      interval_ms: ms.optional(),
      /** The first N clients of each path send (default: all of them). */
      clients: clientCount.optional(),
      rate: rate.optional(),
      rps: rps.optional(),
      /** Multi-client: the clients' first requests spread over one interval (default), or all at once (a reconnect storm). */
      start: z.enum(['spread', 'together']).optional(),
    })
    .strict()
    .refine((s) => [s.interval_ms, s.rate, s.rps].filter((v) => v !== undefined).length <= 1, {
      error: 'give at most one of interval_ms, rate (per client) and rps (all clients)',
    }),
]);

const stream = z.enum(['upstream', 'downstream']).default('downstream');

/** A flaky step: the flaky toxic's attributes (its `rate` required here), on a path and stream. */
const flakyStep = z.object({ ...pathRef, ...flakyAttributes.shape, rate: flakyAttributes.shape.rate.unwrap(), stream }).strict();

/** A latency step: the latency toxic's attributes (its `latency` required here), on a path and stream. */
const latencyStep = z.object({ ...pathRef, ...latencyAttributes.shape, latency: latencyAttributes.shape.latency.unwrap(), stream }).strict();

const STEP_KINDS = ['send', 'partition', 'heal', 'flaky', 'latency', 'toxic', 'wait', 'repeat', 'call', 'notify'] as const;

const stepSchema: z.ZodType<unknown> = z
  .object({
    send: send.optional(),
    partition: z
      .object({
        ...pathRef,
        mode: z.enum(['drop', 'blackhole', 'refuse']),
        cut: z.enum(['reset', 'close']).default('reset'),
        /** Only the connections this selector picks (faultline; not with refuse). */
        clients: clientSelectorSchema.optional(),
      })
      .strict()
      .refine((p) => p.mode !== 'refuse' || p.clients === undefined, {
        error: 'a refuse partition stops the listener for every client; use drop or blackhole with clients',
        path: ['clients'],
      })
      .optional(),
    heal: z.object(pathRef).strict().optional(),
    flaky: flakyStep.optional(),
    latency: latencyStep.optional(),
    toxic: z
      .object({
        ...pathRef,
        type: z.string().min(1),
        name: z.string().optional(),
        stream: z.enum(['upstream', 'downstream']).default('downstream'),
        toxicity: z.number().min(0).max(1).default(1),
        attributes: z.record(z.string(), z.unknown()).default({}),
        clients: clientSelectorSchema.optional(),
      })
      .strict()
      .optional(),
    wait: ms.optional(),
    repeat: z
      .object({ times: count, steps: z.lazy(() => z.array(stepSchema).min(1)) })
      .strict()
      .optional(),
    /** MCP: one long tool call, with faults applied while it runs (call-step.ts). */
    call: z.lazy(() => callStepSchema(stepSchema)).optional(),
    /** MCP: the server pushes this many notifications now. */
    notify: count.optional(),
  })
  .strict()
  .superRefine((step, ctx) => {
    const kinds = Object.keys(step);
    if (kinds.length !== 1) {
      ctx.addIssue({ code: 'custom', message: `a step has exactly one of: ${STEP_KINDS.join(', ')} (got ${kinds.join(', ') || 'none'})` });
    }
  });

/** One step of a scenario. */
export type Step =
  | {
      send:
        | number
        | { count: number; paths?: string[]; path?: string; kind: 'write' | 'read'; interval_ms?: number; clients?: number; rate?: number; rps?: number; start?: 'spread' | 'together' };
    }
  | { partition: { path: string; mode: 'drop' | 'blackhole' | 'refuse'; cut: 'reset' | 'close'; clients?: ClientSelector | undefined } }
  | { heal: { path: string } }
  | { flaky: z.infer<typeof flakyStep> }
  | { latency: z.infer<typeof latencyStep> }
  | {
      toxic: {
        path: string;
        type: string;
        name?: string;
        stream: 'upstream' | 'downstream';
        toxicity: number;
        attributes: Record<string, unknown>;
        clients?: ClientSelector | undefined;
      };
    }
  | { wait: number }
  | { repeat: { times: number; steps: Step[] } }
  | { call: CallStep }
  | { notify: number };

/** The flags a scenario can expect; each is computed from the timeline and the ledgers (see metrics.ts). */
export const FLAGS = ['connection_lost', 'recovery_success', 'data_lost', 'cascading_failure', 'graceful_degradation'] as const;

/** One of the outcome flags. */
export type Flag = (typeof FLAGS)[number];

const scenarioSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9_]{1,64}$/, { error: 'must be snake_case, like "full_connection_loss"' }),
    type: z.string().min(1).max(64),
    title: z.string().min(1).max(120),
    description: z.string().max(2000).default(''),
    paths: z
      .array(
        z.union([
          pathName,
          z
            .object({
              name: pathName,
              server: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL of a control API' }).optional(),
              /** Concurrent clients on the path (each its own probe). */
              clients: clientCount.optional(),
              /** Local addresses the clients connect from, taken in turn (client i from addresses[i % n]). */
              client_addresses: z.array(loopback).min(1).max(16).optional(),
            })
            .strict(),
        ]),
      )
      .min(1)
      .max(8)
      .default(['primary']),
    steps: z.array(stepSchema).min(1),
    expect: z
      .object({
        connection_lost: z.boolean().optional(),
        recovery_success: z.boolean().optional(),
        data_lost: z.boolean().optional(),
        cascading_failure: z.boolean().optional(),
        graceful_degradation: z.boolean().optional(),
        no_leaks: z.boolean().optional(),
        /** MCP: every call step got its result. */
        call_completed: z.boolean().optional(),
        /** MCP: no progress step or notification went missing or arrived twice. */
        events_exactly_once: z.boolean().optional(),
        /** MCP: the server stopped every request it was told to stop. */
        no_work_after_cancel: z.boolean().optional(),
        /** No write was applied more than once. */
        no_duplicates: z.boolean().optional(),
        /** Multi-client paths: after each heal, every affected client recovered, the last within the policy's budget. */
        clients_recovered: z.boolean().optional(),
      })
      .strict(),
    /** MCP: the protocol generations the scenario is meant for (a probe not pinned to one speaks the newest of them). */
    mcp_protocols: z.array(mcpProtocolSchema).min(1).optional(),
    /** The built-in probes the scenario is meant for (runScenarios skips it with any other); default all. */
    probes: z.array(z.enum(['tcp', 'connect', 'http', 'mcp', 'mcp-stdio'])).min(1).optional(),
    /** After the last heal, how many requests must succeed for recovery_success. */
    recovery: z.enum(['all', 'most', 'any']).default('all'),
    /** graceful_degradation needs at least this share of requests to succeed. */
    min_success_ratio: z.number().min(0).max(1).default(0.25),
    /** connection_lost needs at least this many consecutive failed requests. */
    lost_after: z.number().int().min(1).default(3),
    /** Pause between requests on a path (of each client). */
    interval_ms: ms.default(20),
    /** Requests per second of each client (instead of interval_ms). */
    rate: rate.optional(),
    /** Requests per second of all clients of a path together. */
    rps: rps.optional(),
    policy: policySchema.partial().default({}),
  })
  .strict()
  .superRefine((scenario, ctx) => {
    const known = new Set(scenario.paths.map((p) => (typeof p === 'string' ? p : p.name)));
    const check = (steps: unknown[], where: (string | number)[]): void => {
      steps.forEach((step, i) => {
        const body = Object.values(step as object)[0] as Record<string, unknown> | number;
        if (typeof body !== 'object' || body === null) return;
        const refs = [body['path'], ...((body['paths'] as unknown[] | undefined) ?? [])].filter((p) => p !== undefined);
        for (const ref of refs) {
          if (!known.has(ref as string)) {
            ctx.addIssue({ code: 'custom', path: [...where, i], message: `unknown path "${String(ref)}" (paths: ${[...known].join(', ')})` });
          }
        }
        if (Array.isArray(body['steps'])) check(body['steps'] as unknown[], [...where, i, 'repeat', 'steps']);
        if (Array.isArray(body['during'])) check((body['during'] as Array<DuringAction | undefined>).map((a) => a?.step ?? {}), [...where, i, 'call', 'during']);
        if ('toxic' in (step as object) && typeof body['type'] === 'string') {
          for (const issue of toxicStepIssues(body['type'], (body['attributes'] as Record<string, unknown> | undefined) ?? {})) {
            ctx.addIssue({ code: 'custom', path: [...where, i, 'toxic', ...issue.field], message: issue.message });
          }
        }
      });
    };
    check(scenario.steps, ['steps']);
  })
  .transform(({ paths, ...rest }) => ({
    ...rest,
    paths: paths.map((p) => (typeof p === 'string' ? p : p.name)),
    /** Paths driven through another control API than the run's (`paths: [{name, server}]`). */
    servers: Object.fromEntries(paths.flatMap((p) => (typeof p === 'string' || p.server === undefined ? [] : [[p.name, p.server]]))) as Record<string, string>,
    /** How many clients each path has: its own `clients`, or the most a send step on it asks for (1 when neither says). */
    clients: clientsPerPath(paths, rest.steps as Step[]),
    /** Paths whose clients connect from given local addresses. */
    client_addresses: Object.fromEntries(
      paths.flatMap((p) => (typeof p === 'string' || p.client_addresses === undefined ? [] : [[p.name, p.client_addresses]])),
    ) as Record<string, string[]>,
  }));

/** Each path's client count: its own `clients`, or the most any send step on it asks for. */
function clientsPerPath(paths: ReadonlyArray<string | { name: string; clients?: number | undefined }>, steps: readonly Step[]): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(paths.map((p) => (typeof p === 'string' ? [p, 1] : [p.name, p.clients ?? 1])));
  const walk = (list: readonly Step[]): void => {
    for (const step of list) {
      if ('repeat' in step) walk(step.repeat.steps);
      if (!('send' in step) || typeof step.send === 'number' || step.send.clients === undefined) continue;
      for (const path of step.send.paths ?? [step.send.path ?? 'primary']) out[path] = Math.max(out[path] ?? 1, step.send.clients);
    }
  };
  walk(steps);
  return out;
}

/** A scenario, validated and complete; `source` names where it came from (a file) in errors. */
export type Scenario = Omit<z.infer<typeof scenarioSchema>, 'steps'> & { steps: Step[]; source?: string };

/** A scenario file that cannot be used; the message names the file, the step and the field. */
export class ScenarioError extends Error {
  /** The stable code of bad scenario input (the CLI exits 2 on it). */
  readonly code = 'ERR_SCENARIO';

  constructor(message: string) {
    super(message);
    this.name = 'ScenarioError';
  }
}

/** Validates a scenario object; `source` names it in errors (a file name). */
export function parseScenario(data: unknown, source: string): Scenario {
  const parsed = scenarioSchema.safeParse(data);
  if (parsed.success) return { ...(parsed.data as Scenario), source };
  const lines = parsed.error.issues.slice(0, 5).map((issue) => `  ${describePath(issue.path)}: ${issue.message}`);
  throw new ScenarioError(`${source}: invalid scenario\n${lines.join('\n')}`);
}

/** Reads and validates a scenario file (.yaml, .yml or .json). */
export async function loadScenarioFile(file: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ScenarioError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let data: unknown;
  try {
    data = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ScenarioError(`${file}: not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`);
  }
  return parseScenario(data, file);
}

function describePath(path: PropertyKey[]): string {
  if (path.length === 0) return '(scenario)';
  return path.reduce<string>((out, part, i) => {
    if (typeof part === 'number') return `${out}[${part}]`;
    return i === 0 ? String(part) : `${out}.${String(part)}`;
  }, '');
}
