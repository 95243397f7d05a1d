/**
 * A rig for a two-way (HTTP) toxic on the fake clock: its request stage (client → upstream) and
 * response stage (upstream → client) sharing one connection's state, as a Connection wires them.
 */
import { FakeClock } from './fake-clock.js';
import type { Scheduler } from '../../proxy/scheduler.js';
import type { Stage, StageContext, ToxicDefinition } from '../../proxy/toxics/toxic.js';
import type { CutMode } from '../../protocol/wire.js';

/** What the two stages did, as the rig saw it. */
export interface HttpRig {
  readonly clock: FakeClock;
  readonly request: Stage;
  readonly response: Stage;
  /** Bytes that reached the upstream. */
  upstream: string;
  /** Bytes that reached the client, with when. */
  readonly client: Array<{ at: number; text: string }>;
  /** Everything the client got, joined. */
  readonly clientText: string;
  cut: { at: number; mode: CutMode } | null;
  finished: number | null;
  clientEnded: number | null;
  readonly tripped: string[];
  readonly bypassed: string[];
  /** How often the request stage said its held bytes went down. */
  released: number;
  /** The client sends `text` now. */
  send(text: string): void;
  /** The upstream sends `text` now. */
  reply(text: string): void;
}

/** Runs two-way toxic `definition` with `attributes` on a fake clock; `state` as the toxic set would share it. */
export function httpRig<A extends object, S extends object>(
  definition: ToxicDefinition<A, S>,
  attributes: Record<string, unknown> = {},
  options: { random?: () => number; state?: S } = {},
): HttpRig {
  const clock = new FakeClock();
  const scheduler: Scheduler = { hasRoom: () => true, later: (task) => void clock.setTimeout(task, 0) };
  const rig = {
    clock,
    upstream: '',
    client: [],
    cut: null,
    finished: null,
    clientEnded: null,
    tripped: [],
    bypassed: [],
    released: 0,
    get clientText(): string {
      return rig.client.map((c) => c.text).join('');
    },
  } as unknown as HttpRig & { request: Stage; response: Stage };
  let shared: object | undefined;
  const context = (direction: 'upstream' | 'downstream'): StageContext => ({
    clock,
    scheduler,
    random: options.random ?? (() => 0.5),
    direction,
    push: (chunk) => {
      if (direction === 'upstream') rig.upstream += chunk.data.toString('latin1');
      else rig.client.push({ at: clock.now(), text: chunk.data.toString('latin1') });
    },
    end: () => {
      if (direction === 'downstream') rig.clientEnded ??= clock.now();
    },
    finish: () => {
      rig.finished ??= clock.now();
      if (direction === 'downstream') rig.clientEnded ??= clock.now();
    },
    cut: (mode) => void (rig.cut ??= { at: clock.now(), mode }),
    released: () => void (direction === 'upstream' && rig.released++),
    backlog: () => 0,
    tripped: (detail) => void rig.tripped.push(detail),
    shared: <T extends object>(create: () => T): T => (shared ??= create()) as T,
    bypassed: (reason) => void rig.bypassed.push(reason),
  });
  const parsed = definition.attributes.parse(attributes);
  const state = options.state ?? ((definition.createState?.() ?? {}) as S);
  rig.request = definition.create(parsed, context('upstream'), state);
  rig.response = definition.create(parsed, context('downstream'), state);
  rig.send = (text) => rig.request.write({ data: Buffer.from(text, 'latin1'), receivedAt: clock.now() });
  rig.reply = (text) => rig.response.write({ data: Buffer.from(text, 'latin1'), receivedAt: clock.now() });
  return rig;
}
