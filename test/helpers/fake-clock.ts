/**
 * A fake clock for toxics, and a rig that runs one toxic's stage on its own with it: time moves
 * only when the test says, timers fire in time order each at its own time, so a toxic's timing is
 * checked exactly, with no sleeping and no tolerance.
 */
import type { Clock } from '../../proxy/clock.js';
import type { Scheduler } from '../../proxy/scheduler.js';
import type { Chunk, Stage, StageContext, ToxicDefinition } from '../../proxy/toxics/toxic.js';
import type { CutMode } from '../../protocol/wire.js';

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

/** Time in ms that moves only with `advance`. */
export class FakeClock implements Clock {
  #now = 0;
  #seq = 0;
  #timers = new Set<Timer>();

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, fn };
    this.#timers.add(timer);
    return timer;
  }

  clearTimeout(timer: unknown): void {
    this.#timers.delete(timer as Timer);
  }

  /** Moves time forward by `ms`, firing every timer due on the way, at its own time. */
  advance(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      const next = [...this.#timers].filter((t) => t.at <= until).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next) break;
      this.#timers.delete(next);
      this.#now = next.at;
      next.fn();
    }
    this.#now = until;
  }
}

/** What a stage did, as the rig saw it. */
export interface Rig {
  readonly clock: FakeClock;
  readonly stage: Stage;
  /** Every chunk pushed on: when, and its text. */
  readonly out: Array<{ at: number; text: string }>;
  /** When the end was passed on, or null. */
  ended: number | null;
  /** When and how the stage cut the connection, or null. */
  cut: { at: number; mode: CutMode } | null;
  /** When the stage finished the stream (end + close), or null. */
  finished: number | null;
  /** Events the stage reported. */
  readonly tripped: string[];
  /** Writes `text` into the stage now, as a chunk that reached it now. */
  write(text: string): void;
}

/** Runs toxic `definition` with `attributes` (defaults filled as the API does) on a fake clock; `random` feeds its draws. */
export function stageRig<A extends object, S extends object>(
  definition: ToxicDefinition<A, S>,
  attributes: Record<string, unknown> = {},
  random: () => number = () => 0.5,
): Rig {
  const clock = new FakeClock();
  // Deferred work runs in a later "turn" of the fake clock: never inline past the slice.
  const scheduler: Scheduler = { hasRoom: () => true, later: (task) => void clock.setTimeout(task, 0) };
  let shared: object | undefined;
  const rig = { clock, out: [], ended: null, cut: null, finished: null, tripped: [] } as unknown as Rig & { stage: Stage };
  const ctx: StageContext = {
    clock,
    scheduler,
    random,
    push: (chunk: Chunk) => rig.out.push({ at: clock.now(), text: chunk.data.toString() }),
    end: () => void (rig.ended ??= clock.now()),
    finish: () => {
      rig.finished ??= clock.now();
      rig.ended ??= clock.now();
    },
    cut: (mode) => void (rig.cut ??= { at: clock.now(), mode }),
    tripped: (detail) => void rig.tripped.push(detail),
    released: () => undefined,
    backlog: () => 0,
    direction: 'downstream',
    shared: <T extends object>(create: () => T): T => (shared ??= create()) as T,
    bypassed: (reason) => void rig.tripped.push(`bypassed: ${reason}`),
  };
  const parsed = definition.attributes.parse(attributes);
  rig.stage = definition.create(parsed, ctx, (definition.createState?.() ?? {}) as S);
  rig.write = (text) => rig.stage.write({ data: Buffer.from(text), receivedAt: clock.now() });
  return rig;
}
