/**
 * The intake's order and share (proxy/api/intake.ts), on a clock and callbacks driven by hand:
 * requests answered one at a time in order, at once while the share lasts, then after the bucket
 * refills; a request on I/O is not waited for past the end of the poll phase.
 */
import t from 'tap';
import { BURST_MS, Intake, SHARE, type IntakeClock } from '../../proxy/api/intake.js';

/** A clock moved by hand, with its immediates and timeouts run on demand. */
function handClock(): IntakeClock & { at: number; immediates: Array<() => void>; timeouts: Array<{ fn: () => void; due: number }>; advance(ms: number): void; endOfPoll(): void } {
  const clock = {
    at: 0,
    immediates: [] as Array<() => void>,
    timeouts: [] as Array<{ fn: () => void; due: number }>,
    now: () => clock.at,
    immediate: (fn: () => void) => clock.immediates.push(fn),
    timeout: (fn: () => void, ms: number) => clock.timeouts.push({ fn, due: clock.at + ms }),
    advance(ms: number) {
      clock.at += ms;
      const due = clock.timeouts.filter((x) => x.due <= clock.at);
      clock.timeouts = clock.timeouts.filter((x) => x.due > clock.at);
      for (const x of due) x.fn();
    },
    endOfPoll() {
      const run = clock.immediates;
      clock.immediates = [];
      for (const fn of run) fn();
    },
  };
  return clock;
}

/** An intake whose requests each take `costs[name]` ms of the clock and answer at once. */
function setup(costs: Record<string, number>) {
  const clock = handClock();
  const answered: string[] = [];
  const intake = new Intake<string>((name, done) => {
    clock.at += costs[name] ?? 0;
    answered.push(name);
    done();
  }, clock);
  return { clock, answered, intake };
}

t.test('light requests are answered at once, in order', async (t) => {
  const { answered, intake } = setup({ a: 0.2, b: 0.2, c: 0.2 });
  for (const name of ['a', 'b', 'c']) intake.push(name);
  t.same(answered, ['a', 'b', 'c']);
  t.equal(intake.waiting, 0);
});

t.test('once the burst is spent, the rest waits for the share to refill', async (t) => {
  const { clock, answered, intake } = setup({ heavy: 10 });
  for (let i = 0; i < 6; i++) intake.push('heavy');
  // 30 ms of tokens, each 10 ms request refills 5 while it runs: 30 → 25 → 20 → … until ≤ 0.
  const first = answered.length;
  t.ok(first >= 3 && first < 6, `${first} answered in the burst`);
  t.ok(intake.waiting > 0, 'the rest wait');
  t.equal(clock.timeouts.length, 1, 'one timer for the refill');
  clock.advance(Math.ceil(10 / SHARE) + 1);
  t.ok(answered.length > first, 'more answered once the bucket refilled');
  // Over a long run the API gets its share of the time: at most SHARE, plus the burst.
  for (let i = 0; i < 50 && intake.waiting > 0; i++) clock.advance(1 / SHARE + 1);
  t.equal(intake.waiting, 0, 'all answered in the end');
});

t.test('the API never takes more than its share plus the burst', async (t) => {
  const { clock, answered, intake } = setup({ r: 4 });
  const start = clock.at;
  let pushed = 0;
  // A client that sends the next request as soon as one is answered, for 1 s of the clock.
  const more = (): void => {
    while (intake.waiting === 0 && clock.at - start < 1000) {
      intake.push('r');
      pushed++;
      if (intake.waiting > 0) break;
    }
  };
  more();
  while (clock.at - start < 1000) {
    clock.advance(1);
    more();
  }
  const busy = answered.length * 4;
  const wall = clock.at - start;
  t.ok(busy <= SHARE * wall + BURST_MS + 4, `answering took ${busy} of ${wall} ms`);
  t.ok(busy >= SHARE * wall * 0.8, `and it got its share (${busy} ms of ${pushed} requests)`);
});

t.test('a request on I/O is not waited for past the end of the poll phase', async (t) => {
  const clock = handClock();
  const answered: string[] = [];
  let later: (() => void) | undefined;
  const intake = new Intake<string>((name, done) => {
    answered.push(name);
    if (name === 'listen') later = done;
    else done();
  }, clock);
  intake.push('listen');
  intake.push('next');
  t.same(answered, ['listen'], 'the next waits while the first is in progress');
  clock.endOfPoll();
  t.same(answered, ['listen', 'next'], 'and starts at the end of the poll phase');
  later?.();
  t.same(answered, ['listen', 'next'], 'a late done changes nothing');
});

t.test('a waiting request whose client went away is dropped', async (t) => {
  const { answered, intake } = setup({ heavy: 40, x: 1 });
  intake.push('heavy');
  intake.push('x');
  t.equal(intake.waiting, 1);
  t.equal(intake.drop((name) => name === 'x'), true);
  t.equal(intake.drop((name) => name === 'x'), false);
  t.same(answered, ['heavy']);
});
