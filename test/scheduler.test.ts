import t from 'tap';
import { SliceScheduler } from '../proxy/scheduler.js';
import { BATCH, Pump } from '../proxy/pump.js';
import type { Clock } from '../proxy/clock.js';
import { manualScheduler } from './helpers/scheduler.js';

/** A SliceScheduler (2 ms slices, 8 ms rests) on a fake clock whose immediates the test runs, one turn at a time. */
function fakeLoop(): { scheduler: SliceScheduler; advance(ms: number): void; turn(): number; immediates(): number } {
  let now = 1000;
  let queued: Array<() => void> = [];
  const scheduler = new SliceScheduler(() => now, (fn) => queued.push(fn), 2, 8);
  return {
    scheduler,
    advance: (ms) => void (now += ms),
    immediates: () => queued.length,
    turn: () => {
      const run = queued;
      queued = [];
      for (const fn of run) fn();
      return run.length;
    },
  };
}

t.test('inline work has a slice of SLICE_MS, then defers for REST_MS, and costs no callback', async (t) => {
  const loop = fakeLoop();
  t.ok(loop.scheduler.hasRoom(), 'the first ask opens a slice');
  t.equal(loop.immediates(), 0, 'asking arms nothing');
  loop.advance(1.5);
  t.ok(loop.scheduler.hasRoom(), 'room 1.5 ms in');
  loop.advance(1);
  t.notOk(loop.scheduler.hasRoom(), 'no room once 2 ms are spent');
  loop.advance(7);
  t.notOk(loop.scheduler.hasRoom(), 'nor during the rest');
  loop.advance(2);
  t.ok(loop.scheduler.hasRoom(), 'a new slice after it');
});

t.test('while tasks wait, new inline work queues behind them', async (t) => {
  const loop = fakeLoop();
  loop.scheduler.later(() => undefined);
  loop.advance(100);
  t.notOk(loop.scheduler.hasRoom(), 'no inline room while a task waits');
  loop.turn();
  t.ok(loop.scheduler.hasRoom(), 'room again once it ran');
});

t.test('deferred tasks run first in, first out, a slice per turn; tasks deferred meanwhile wait for the next turn', async (t) => {
  const loop = fakeLoop();
  const ran: string[] = [];
  loop.scheduler.later(() => ran.push('a'));
  loop.scheduler.later(() => {
    ran.push('b');
    loop.scheduler.later(() => ran.push('d'));
  });
  loop.scheduler.later(() => ran.push('c'));
  t.equal(loop.immediates(), 1, 'one callback however many tasks wait');
  t.equal(loop.turn(), 1);
  t.same(ran, ['a', 'b', 'c'], 'the tasks waiting at the start of the turn');
  t.equal(loop.immediates(), 1, 'the deferred one re-armed exactly one callback');
  loop.turn();
  t.same(ran, ['a', 'b', 'c', 'd']);
  t.equal(loop.immediates(), 0, 'nothing left, nothing armed');
});

t.test('a turn stops running tasks once its slice is spent, and never arms more than one callback', async (t) => {
  const loop = fakeLoop();
  let ran = 0;
  for (let i = 0; i < 10; i++) {
    loop.scheduler.later(() => {
      ran++;
      loop.advance(1);
      loop.scheduler.later(() => undefined);
    });
  }
  loop.turn();
  t.equal(ran, 2, 'two 1 ms tasks fill a 2 ms slice');
  t.equal(loop.scheduler.waiting, 8 + 2, 'the other eight and the two they deferred wait');
  let turns = 1;
  let most = 0;
  while (loop.immediates() > 0) {
    most = Math.max(most, loop.immediates());
    loop.turn();
    turns++;
  }
  t.equal(most, 1, `never more than one callback armed (${turns} turns)`);
  t.equal(ran, 10, 'and every task ran');
});

const clock: Clock = { now: () => 0, setTimeout: () => 'timer', clearTimeout: () => undefined };

t.test('a pump emits at most BATCH items per run and yields the rest to a later slice', async (t) => {
  const scheduler = manualScheduler();
  scheduler.room = true;
  let left = 100;
  let emitted = 0;
  const pump = new Pump({ clock, scheduler }, () => (left > 0 ? (left--, emitted++, true) : false));
  pump.kick();
  t.equal(emitted, BATCH, 'one batch');
  t.ok(pump.pending, 'the rest is due later');
  pump.kick();
  t.equal(emitted, BATCH, 'a kick while due does not run out of turn');
  while (scheduler.waiting > 0) scheduler.turn();
  t.equal(emitted, 100, 'every item, batch by batch');
});

t.test('a pump without room in the slice does no work at all until a later one', async (t) => {
  const scheduler = manualScheduler();
  let emitted = 0;
  const pump = new Pump({ clock, scheduler }, () => (emitted++ < 3 ? true : false));
  pump.kick();
  t.equal(emitted, 0, 'nothing emitted in a spent slice');
  scheduler.room = true;
  scheduler.turn();
  t.equal(emitted, 4, 'all of it in the next');
  pump.stop();
  pump.kick();
  t.equal(emitted, 4, 'a stopped pump never steps again');
});
