/** Every timed toxic on a fake clock: exact times, no sleeping, no tolerance (real-socket timing tests sit beside each toxic's own file). */
import t from 'tap';
import { bandwidth } from '../../proxy/toxics/bandwidth.js';
import { blackhole } from '../../proxy/toxics/blackhole.js';
import { cutAfter } from '../../proxy/toxics/cut-after.js';
import { drop } from '../../proxy/toxics/drop.js';
import { flaky } from '../../proxy/toxics/flaky.js';
import { latency } from '../../proxy/toxics/latency.js';
import { limitData } from '../../proxy/toxics/limit-data.js';
import { resetPeer } from '../../proxy/toxics/reset-peer.js';
import { slicer } from '../../proxy/toxics/slicer.js';
import { slowClose } from '../../proxy/toxics/slow-close.js';
import { timeout } from '../../proxy/toxics/timeout.js';
import { stageRig } from '../helpers/fake-clock.js';

t.test('latency releases each chunk latency ms after it arrived, in order, and the end after the last', async (t) => {
  const rig = stageRig(latency, { latency: 100 });
  rig.write('a');
  rig.clock.advance(10);
  rig.write('b');
  rig.stage.end?.();
  rig.clock.advance(99);
  t.same(rig.out, [{ at: 100, text: 'a' }]);
  rig.clock.advance(1);
  t.same(rig.out, [{ at: 100, text: 'a' }, { at: 110, text: 'b' }]);
  t.equal(rig.ended, 110);
});

t.test('latency jitter moves a delay within ± jitter, and a chunk never overtakes the one ahead', async (t) => {
  const draws = [1, 0];
  const rig = stageRig(latency, { latency: 100, jitter: 50 }, () => draws.shift() ?? 0.5);
  rig.write('slow');
  rig.write('fast');
  rig.clock.advance(1000);
  t.same(rig.out, [{ at: 150, text: 'slow' }, { at: 150, text: 'fast' }], '100 + 50, and the 50 ms one waits for it');
});

t.test('bandwidth passes rate bytes per ms, in pieces of at most 100 ms worth', async (t) => {
  const rig = stageRig(bandwidth, { rate: 10 });
  rig.write('x'.repeat(2500));
  rig.clock.advance(1000);
  t.same(rig.out.map((o) => [o.at, o.text.length]), [[100, 1000], [200, 1000], [250, 500]]);
  t.equal(rig.stage.held, 0);
});

t.test('bandwidth 0 holds everything, and says how much it holds', async (t) => {
  const rig = stageRig(bandwidth, { rate: 0 });
  rig.write('x'.repeat(300));
  rig.clock.advance(60_000);
  t.same(rig.out, []);
  t.equal(rig.stage.held, 300);
  t.same(rig.stage.detach?.().chunks.map((c) => c.data.length), [300], 'handed back whole on removal');
});

t.test('bandwidth takes a new rate in place: what it holds leaves at the new rate from the update, in order', async (t) => {
  const rig = stageRig(bandwidth, { rate: 1 });
  rig.write('a'.repeat(100));
  rig.write('b'.repeat(100));
  rig.clock.advance(50);
  t.same(rig.out, [], 'at 1 KB/s the first 100 bytes are due at 100 ms');
  rig.stage.update?.({ rate: 10 });
  rig.clock.advance(0);
  t.same(rig.out, [], 'the time before the update is not counted at the new rate');
  rig.clock.advance(10);
  t.same(rig.out.map((o) => [o.at, o.text[0], o.text.length]), [[60, 'a', 100]], 'due 10 ms after the update, not at the old 100 ms');
  rig.clock.advance(100);
  t.same(rig.out.map((o) => [o.at, o.text[0]]), [[60, 'a'], [70, 'b']]);
  const held = stageRig(bandwidth, { rate: 0 });
  held.write('x'.repeat(50));
  held.clock.advance(1000);
  held.stage.update?.({ rate: 5 });
  held.clock.advance(10);
  t.same(held.out.map((o) => [o.at, o.text.length]), [[1010, 50]], 'rate 0 → 5 releases what it held');
});

t.test('latency takes new attributes in place: queued chunks are due at their arrival plus the new delay', async (t) => {
  const rig = stageRig(latency, { latency: 1000 });
  rig.write('a');
  rig.clock.advance(100);
  rig.write('b');
  rig.clock.advance(100);
  rig.stage.update?.({ latency: 150, jitter: 0 });
  rig.clock.advance(0);
  t.same(rig.out, [{ at: 200, text: 'a' }], 'a arrived at 0: already past 0 + 150, so at once');
  rig.clock.advance(100);
  t.same(rig.out, [{ at: 200, text: 'a' }, { at: 250, text: 'b' }], 'b at 100 + 150');
});

t.test('slow_close passes data at once and the end delay ms late', async (t) => {
  const rig = stageRig(slowClose, { delay: 500 });
  rig.write('x');
  rig.clock.advance(10);
  rig.stage.end?.();
  rig.clock.advance(499);
  t.equal(rig.ended, null);
  rig.clock.advance(1);
  t.same([rig.out, rig.ended], [[{ at: 0, text: 'x' }], 510]);
});

t.test('timeout discards data and closes timeout ms after the last chunk; 0 never closes', async (t) => {
  const rig = stageRig(timeout, { timeout: 100 });
  rig.write('a');
  rig.clock.advance(50);
  rig.write('b');
  rig.clock.advance(99);
  t.equal(rig.cut, null, 'the second chunk restarted the clock');
  rig.clock.advance(1);
  t.same([rig.out, rig.cut], [[], { at: 150, mode: 'close' }]);
  const never = stageRig(timeout, { timeout: 0 });
  never.write('a');
  never.clock.advance(3_600_000);
  t.same([never.out, never.cut], [[], null]);
});

t.test('reset_peer resets timeout ms after the first data, which it discards', async (t) => {
  const rig = stageRig(resetPeer, { timeout: 30 });
  rig.clock.advance(5);
  rig.write('a');
  rig.clock.advance(29);
  t.equal(rig.cut, null);
  rig.clock.advance(1);
  t.same([rig.out, rig.cut, rig.tripped], [[], { at: 35, mode: 'reset' }, ['reset_peer']]);
});

t.test('slicer halves a chunk down to average_size pieces (as Toxiproxy), delay µs apart', async (t) => {
  const rig = stageRig(slicer, { average_size: 4, delay: 2000 });
  rig.write('abcdefghijklmnop');
  rig.clock.advance(100);
  t.same(rig.out, [{ at: 0, text: 'abcd' }, { at: 2, text: 'efgh' }, { at: 4, text: 'ijkl' }, { at: 6, text: 'mnop' }]);
  const odd = stageRig(slicer, { average_size: 4 });
  odd.write('abcdefghij');
  odd.clock.advance(1);
  t.same(odd.out.map((o) => o.text), ['ab', 'cde', 'fg', 'hij'], '10 bytes halve to 5 + 5, then to 2 + 3 each');
});

t.test('limit_data passes exactly bytes bytes, then finishes the stream', async (t) => {
  const rig = stageRig(limitData, { bytes: 5 });
  rig.write('abc');
  rig.write('defg');
  rig.write('h');
  t.same([rig.out.map((o) => o.text), rig.finished], [['abc', 'de'], 0]);
});

t.test('flaky at rate 1 trips on the first chunk; at rate 0 it passes everything', async (t) => {
  const trips = stageRig(flaky, { rate: 1, action: 'reset' });
  trips.write('a');
  t.same([trips.out, trips.cut, trips.tripped], [[], { at: 0, mode: 'reset' }, ['flaky (reset)']]);
  const passes = stageRig(flaky, { rate: 0 });
  passes.write('a');
  t.same([passes.out.map((o) => o.text), passes.cut], [['a'], null]);
});

t.test('drop cuts as it starts; blackhole keeps silent and hands back only a held end', async (t) => {
  t.same(stageRig(drop, { mode: 'close' }).cut, { at: 0, mode: 'close' });
  const hole = stageRig(blackhole);
  hole.write('a');
  hole.stage.end?.();
  hole.clock.advance(1000);
  t.same([hole.out, hole.ended], [[], null]);
  t.same(hole.stage.detach?.(), { chunks: [], ended: true });
});

t.test('cut_after passes data for after_ms, then cuts with its action (reset by default), idle or not', async (t) => {
  for (const action of ['reset', 'close'] as const) {
    const rig = stageRig(cutAfter, { after_ms: 1000, action });
    rig.write('a');
    rig.clock.advance(999);
    rig.write('b');
    t.equal(rig.cut, null, `${action}: not before after_ms`);
    rig.clock.advance(1);
    t.same([rig.out.map((o) => o.text), rig.cut, rig.tripped], [['a', 'b'], { at: 1000, mode: action }, [`cut_after (${action})`]]);
  }
  const idle = stageRig(cutAfter, { after_ms: 50 });
  idle.clock.advance(50);
  t.same(idle.cut, { at: 50, mode: 'reset' }, 'an idle connection is cut too');
});

t.test('cut_after 0 cuts as it starts', async (t) => {
  t.same(stageRig(cutAfter, { after_ms: 0, action: 'close' }).cut, { at: 0, mode: 'close' });
});

t.test('cut_after blackhole silences the stream after after_ms and hands back only a held end', async (t) => {
  const rig = stageRig(cutAfter, { after_ms: 100, action: 'blackhole' });
  rig.write('before');
  rig.clock.advance(100);
  rig.write('after');
  rig.stage.end?.();
  rig.clock.advance(10_000);
  t.same([rig.out.map((o) => o.text), rig.cut, rig.ended, rig.tripped], [['before'], null, null, ['cut_after (blackhole)']]);
  t.same(rig.stage.detach?.(), { chunks: [], ended: true });
});

t.test('cut_after update keeps the start: a longer after_ms moves the cut, one already past cuts at once', async (t) => {
  const later = stageRig(cutAfter, { after_ms: 100 });
  later.clock.advance(60);
  later.stage.update?.({ after_ms: 200, action: 'reset' });
  later.clock.advance(139);
  t.equal(later.cut, null);
  later.clock.advance(1);
  t.same(later.cut, { at: 200, mode: 'reset' }, '200 ms from the start, not from the update');
  const past = stageRig(cutAfter, { after_ms: 1000 });
  past.clock.advance(500);
  past.stage.update?.({ after_ms: 100, action: 'close' });
  t.same(past.cut, { at: 500, mode: 'close' });
  const silent = stageRig(cutAfter, { after_ms: 10, action: 'blackhole' });
  silent.clock.advance(10);
  silent.stage.update?.({ after_ms: 10, action: 'reset' });
  t.same(silent.cut, { at: 10, mode: 'reset' }, 'a black-holed connection changed to reset is reset then');
});

t.test('cut_after removed before after_ms never cuts', async (t) => {
  const rig = stageRig(cutAfter, { after_ms: 100 });
  t.same(rig.stage.detach?.(), { chunks: [], ended: false });
  rig.clock.advance(1000);
  t.equal(rig.cut, null);
});
