/**
 * Plans a scenario's fault steps for the servers its paths run on (their Capabilities): each step
 * becomes the toxics to add and whether to disable the proxy. A faultline server does every fault
 * natively. On a server without faultline's extensions (a plain Toxiproxy) a fault it lacks is
 * emulated with what it has, and each emulation is named in the result so nobody mistakes it for
 * the real thing; a step with no faithful emulation stops the scenario before it starts, naming
 * the step and what the server lacks.
 */
import { partitionToxics } from '../protocol/partition.js';
import type { Stream, ToxicBody } from '../protocol/wire.js';
import { toxicDefinition } from '../proxy/toxics/catalog.js';
import type { Capabilities } from './capabilities.js';
import type { Step } from './scenario.js';

/** What the controller does for one fault step. */
export interface PlannedFault {
  /** The step kind plus mode or type: `partition:drop`, `flaky`, `latency`, `toxic:<type>`. */
  label: string;
  toxics: ToxicBody[];
  /** Disable the proxy (the refuse partition). */
  disable: boolean;
  /** How the step was emulated, when the server lacks it. */
  emulation?: string;
}

/** A scenario's plan: every fault step, the emulations used, or why it cannot run on these servers. */
export interface Plan {
  faults: Map<Step, PlannedFault>;
  emulated: string[];
  refused: string | null;
}

type FaultStep = Extract<Step, { partition: unknown } | { flaky: unknown } | { latency: unknown } | { toxic: unknown }>;

const toxic = (name: string, type: string, stream: Stream, attributes: Record<string, unknown>, toxicity = 1): ToxicBody => ({
  name,
  type,
  stream,
  toxicity,
  attributes,
});

/** Plans every fault step of `steps`; `capabilitiesOf(path)` says what the server of a path can do. */
export function planScenario(steps: readonly Step[], capabilitiesOf: (path: string) => Capabilities): Plan {
  const plan: Plan = { faults: new Map(), emulated: [], refused: null };
  const walk = (list: readonly Step[], where: string): void => {
    list.forEach((step, i) => {
      const here = `${where}[${i}]`;
      if ('repeat' in step) return walk(step.repeat.steps, `${here}.repeat.steps`);
      if ('call' in step) return walk(step.call.during.map((action) => action.step), `${here}.call.during`);
      if (!isFault(step) || plan.refused) return;
      const planned = planFault(step, capabilitiesOf(pathOf(step)), here);
      if (typeof planned === 'string') plan.refused = planned;
      else {
        plan.faults.set(step, planned);
        if (planned.emulation && !plan.emulated.includes(planned.emulation)) plan.emulated.push(planned.emulation);
      }
    });
  };
  walk(steps, 'steps');
  return plan;
}

function isFault(step: Step): step is FaultStep {
  return 'partition' in step || 'flaky' in step || 'latency' in step || 'toxic' in step;
}

function pathOf(step: FaultStep): string {
  return Object.values(step)[0].path;
}

/** The plan of one fault step on a server with `caps`, or why it cannot run there. */
export function planFault(step: FaultStep, caps: Capabilities, where: string): PlannedFault | string {
  const lacks = (type: string): string => `${caps.server} has no ${type} toxic`;
  const scoped = 'partition' in step ? ['partition', step.partition.clients] : 'toxic' in step ? ['toxic', step.toxic.clients] : [];
  if (scoped[1] && !caps.faultline) return `${where}.${scoped[0]}.clients: ${caps.server} ignores "clients" (a faultline extension), so the fault would hit every connection`;
  if ('partition' in step) {
    const { mode, cut, clients } = step.partition;
    const label = `partition:${mode}`;
    if (mode === 'refuse') return { label, toxics: [], disable: true };
    if (caps.toxics.has(mode === 'drop' ? 'drop' : 'blackhole')) return { label, toxics: partitionToxics(mode, cut, true, clients), disable: false };
    if (mode === 'blackhole') {
      const emulation = `${label} via timeout (0) on both streams: the heal closes the connections it held instead of letting them flow again`;
      return { label, toxics: partitionToxics('blackhole', cut, false), disable: false, emulation };
    }
    // Measured on Toxiproxy 2.12: reset_peer added to an open connection closes it with FIN, not RST (Go sets linger 0 only on new links).
    const [type, attributes, effect] =
      cut === 'reset'
        ? ['reset_peer', { timeout: 0 }, 'cut at their next byte (on Toxiproxy those already open with a FIN, new ones with RST)']
        : ['limit_data', { bytes: 0 }, 'closed (FIN) at their next byte'];
    const emulation = `${label} (${cut}) via ${type} on both streams: connections are ${effect}, not at once, and idle ones not at all`;
    const both = [toxic('faultline_partition_up', type, 'upstream', attributes), toxic('faultline_partition_down', type, 'downstream', attributes)];
    return { label, toxics: both, disable: false, emulation };
  }
  if ('flaky' in step) {
    const { path: _path, stream, ...attributes } = step.flaky;
    if (caps.toxics.has('flaky')) return { label: 'flaky', toxics: [toxic('faultline_flaky', 'flaky', stream, attributes)], disable: false };
    if ((attributes.burst_rate ?? 0) > 0) return `${where}.flaky.burst_rate: ${lacks('flaky')}, and no per-connection toxic makes bursts`;
    const [type, emulated] = ({
      reset: ['reset_peer', { timeout: 0 }],
      close: ['limit_data', { bytes: 0 }],
      blackhole: ['timeout', { timeout: 0 }],
    } as const)[attributes.action];
    const emulation =
      `flaky (${attributes.action}, rate ${attributes.rate}) via ${type} with toxicity ${attributes.rate}: drawn once per connection, not per chunk, ` +
      'so a client that keeps its connections sees far fewer failures than the rate';
    return { label: 'flaky', toxics: [toxic('faultline_flaky', type, stream, emulated, attributes.rate)], disable: false, emulation };
  }
  if ('latency' in step) {
    const { path: _path, stream, ...attributes } = step.latency;
    return latency(toxic(`faultline_latency_${stream}`, 'latency', stream, attributes), 'latency', caps);
  }
  const { path: _path, name, clients, ...rest } = step.toxic;
  const body = toxic(name ?? `faultline_${rest.type}_${rest.stream}`, rest.type, rest.stream, rest.attributes, rest.toxicity);
  if (clients) body.clients = clients;
  const label = `toxic:${rest.type}`;
  if (rest.type === 'latency') return latency(body, label, caps);
  if (!caps.toxics.has(rest.type) && toxicDefinition(rest.type)) return `${where}.toxic.type: ${lacks(`"${rest.type}"`)} (a faultline toxic)`;
  return { label, toxics: [body], disable: false };
}

/** A latency toxic; a distribution the server lacks becomes uniform with the same mean. */
function latency(body: ToxicBody, label: string, caps: Capabilities): PlannedFault {
  const { distribution, ...rest } = body.attributes as { distribution?: string; latency?: number; jitter?: number };
  if (distribution === undefined || distribution === 'uniform' || caps.toxics.get('latency')?.includes('distribution')) {
    return { label, toxics: [body], disable: false };
  }
  const jitter = rest.jitter ?? 0;
  // normal: mean latency, so latency ± jitter; pareto: floor latency, mean latency + jitter, so (latency + jitter) ± jitter.
  const mean = (rest.latency ?? 0) + (distribution === 'pareto' ? jitter : 0);
  const emulation = `latency ${distribution} (${rest.latency ?? 0}, ${jitter}) as uniform ${mean} ± ${jitter} ms: the same mean, not the same spread`;
  return { label, toxics: [{ ...body, attributes: { ...rest, latency: mean, jitter } }], disable: false, emulation };
}
