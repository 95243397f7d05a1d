/**
 * Toxic steps checked against the toxic catalog before anything runs: a known type's attribute
 * names and values are validated as the server would (and stricter: an unknown attribute is an
 * error, as in a config file); a type faultline does not know is left to the server, and refused
 * up front when that server is faultline (see runScenarios).
 */
import { attributeNames, toxicDefinition, toxicDefinitions } from '../proxy/toxics/catalog.js';
import type { Step } from './scenario.js';

/** A problem with one toxic step: the field under the step and what is wrong. */
export interface ToxicStepIssue {
  field: (string | number)[];
  message: string;
}

/** What is wrong with the attributes of a toxic step of a known type (none for an unknown type). */
export function toxicStepIssues(type: string, attributes: Record<string, unknown>): ToxicStepIssue[] {
  const definition = toxicDefinition(type);
  if (!definition) return [];
  const known = attributeNames(type) ?? [];
  const unknown = Object.keys(attributes).filter((name) => !known.includes(name));
  if (unknown.length) {
    const allowed = known.length ? `its attributes: ${known.join(', ')}` : 'it takes no attributes';
    return unknown.map((name) => ({ field: ['attributes', name], message: `unknown attribute of ${type} (${allowed})` }));
  }
  const parsed = definition.attributes.safeParse(attributes);
  return parsed.success ? [] : parsed.error.issues.map((issue) => ({ field: ['attributes', ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], message: issue.message }));
}

/** A toxic step whose type faultline does not know, and where it is. */
export interface CustomToxicStep {
  /** `steps[3]` or `steps[1].repeat.steps[0]`. */
  where: string;
  path: string;
  type: string;
}

/** Every toxic step of `steps` whose type is not in faultline's catalog. */
export function customToxicSteps(steps: readonly Step[], where = 'steps'): CustomToxicStep[] {
  return steps.flatMap((step, i) => {
    const here = `${where}[${i}]`;
    if ('repeat' in step) return customToxicSteps(step.repeat.steps, `${here}.repeat.steps`);
    if ('toxic' in step && !toxicDefinition(step.toxic.type)) return [{ where: here, path: step.toxic.path, type: step.toxic.type }];
    return [];
  });
}

/** The message for a custom toxic type sent to a faultline server, which would refuse it. */
export function unknownTypeMessage(step: CustomToxicStep): string {
  const types = toxicDefinitions().map((d) => d.type).join(', ');
  return `${step.where}.toxic.type: unknown toxic type "${step.type}" (faultline knows: ${types})`;
}
