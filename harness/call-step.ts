/**
 * The `call` step of a scenario: one long MCP tool call (the demo server's `stream` tool: `steps`
 * progress notifications `interval_ms` apart, then its write), with faults applied while it runs,
 * each on a cue:
 *
 *   - call:
 *       steps: 8
 *       interval_ms: 100
 *       during:
 *         - { after_progress: 3, partition: { mode: drop } }   # the 3rd progress step reached the client
 *         - { after_ms: 50, heal: {} }                          # 50 ms after the previous action
 *         - { after_reconnect: 1, partition: { mode: drop } }   # the call's stream came back (resumed or re-issued)
 *
 * An action is any fault step (partition, flaky, latency, toxic) or heal, on the call's path.
 * This file holds its schema (built on the scenario's own step schema, so a fault means the same
 * here as anywhere) and its type.
 */
import { z } from 'zod';
import type { Step } from './scenario.js';

/** What cues a during-action. */
const TRIGGERS = ['after_progress', 'after_reconnect', 'after_ms'] as const;

/** The steps a during-action may be. */
const ACTIONS = ['partition', 'heal', 'flaky', 'latency', 'toxic'] as const;

/** One action applied while a call runs. */
export interface DuringAction {
  readonly trigger: { readonly kind: (typeof TRIGGERS)[number]; readonly value: number };
  /** A fault or heal step on the call's path. */
  readonly step: Step;
}

/** A `call` step, complete. */
export interface CallStep {
  path: string;
  steps: number;
  interval_ms: number;
  timeout_ms: number;
  during: DuringAction[];
}

/** A during-action without its trigger: the step it applies. */
function actionStep(action: unknown): unknown {
  if (typeof action !== 'object' || action === null) return action;
  return Object.fromEntries(Object.entries(action).filter(([key]) => !(TRIGGERS as readonly string[]).includes(key)));
}

/** The schema of a `call` step, validating its actions with `step` (the scenario's step schema). */
export function callStepSchema(step: z.ZodType<unknown>): z.ZodType<CallStep> {
  const count = z.number().int().min(1).max(10_000);
  const action = z
    .object({ after_progress: count.optional(), after_reconnect: count.optional(), after_ms: z.number().int().min(0).max(600_000).optional() })
    .loose()
    .transform((raw, ctx): DuringAction => {
      const triggers = TRIGGERS.filter((t) => raw[t] !== undefined);
      if (triggers.length !== 1) {
        ctx.addIssue({ code: 'custom', message: `a during action has exactly one trigger: ${TRIGGERS.join(', ')} (got ${triggers.join(', ') || 'none'})` });
        return z.NEVER;
      }
      const rest = actionStep(raw) as Record<string, unknown>;
      const kinds = Object.keys(rest);
      if (kinds.length !== 1 || !(ACTIONS as readonly string[]).includes(kinds[0] as string)) {
        ctx.addIssue({ code: 'custom', message: `a during action is one of: ${ACTIONS.join(', ')} (got ${kinds.join(', ') || 'none'})` });
        return z.NEVER;
      }
      const parsed = step.safeParse(rest);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
        return z.NEVER;
      }
      const kind = triggers[0] as DuringAction['trigger']['kind'];
      return { trigger: { kind, value: raw[kind] as number }, step: parsed.data as Step };
    });
  const call = z
    .object({
      path: z.string().default('primary'),
      steps: z.number().int().min(1).max(1000),
      interval_ms: z.number().int().min(0).max(60_000).default(50),
      timeout_ms: z.number().int().min(10).max(600_000).default(10_000),
      during: z.array(action).max(50).default([]),
    })
    .strict();
  // Actions act on the call's path: give each one the call's path unless it names one.
  return z.preprocess((raw) => {
    if (typeof raw !== 'object' || raw === null || !Array.isArray((raw as { during?: unknown }).during)) return raw;
    const path = (raw as { path?: unknown }).path ?? 'primary';
    const during = ((raw as { during: unknown[] }).during).map((a) => {
      if (typeof a !== 'object' || a === null) return a;
      return Object.fromEntries(Object.entries(a).map(([k, v]) => [k, (ACTIONS as readonly string[]).includes(k) && typeof v === 'object' && v !== null && !('path' in v) ? { ...v, path } : v]));
    });
    return { ...raw, during };
  }, call) as unknown as z.ZodType<CallStep>;
}
