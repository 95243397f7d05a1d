import t from 'tap';
import { historyOf } from '../../harness/reporters/history.js';
import type { ReadableResult } from '../../harness/result-schema.js';
import type { Entry, Outcome } from '../../harness/timeline.js';

const request = (id: string, kind: 'write' | 'read', start: number, end: number, outcome: Outcome, error?: string, value?: string): Entry => ({
  type: 'request',
  id,
  path: 'primary',
  kind,
  faulted: false,
  epoch: 0,
  start,
  end,
  attempts: [{ ok: outcome === 'ok', ...(error ? { error } : {}), start, end }],
  outcome,
  ...(value === undefined ? {} : { value }),
});

const result = (timeline: Entry[], appliedUnacked: string[] = []): ReadableResult => ({
  test_name: 's',
  test_type: 'S',
  passed: true,
  duration_ms: 1000,
  connection_lost: false,
  recovery_success: true,
  data_lost: false,
  cascading_failure: false,
  graceful_degradation: true,
  retry_attempts: 0,
  error_message: null,
  metrics: {
    connection_loss_time_ms: null,
    recovery_time_ms: null,
    requests_before_partition: 0,
    requests_after_partition: 0,
    queued_operations: 0,
    cached_responses: 0,
    successful_requests_before_recovery: 0,
    failed_requests_during_partition: 0,
    recovery_attempts: 0,
  },
  ledger: { checked: true, acknowledged: 0, applied_unacknowledged: appliedUnacked, failed_not_applied: [], duplicated: [], lost: [], undelivered_queued: [], lost_writes: [] },
  timeline,
});

t.test('every operation is invoked once and completed once: ok, fail, or info when indeterminate', async (t) => {
  const ops = historyOf([
    result(
      [
        request('w1', 'write', 0, 1, 'ok'),
        request('r1', 'read', 10, 11, 'ok', undefined, 'payload of w1'),
        request('w2', 'write', 20, 21, 'failed', 'ECONNRESET'),
        request('w3', 'write', 30, 530, 'failed', 'timeout'),
        request('w4', 'write', 540, 541, 'failed', 'ECONNRESET'),
        request('r2', 'read', 550, 551, 'cached', 'ECONNRESET', 'payload of w1'),
      ],
      ['w4'],
    ),
  ]);
  const completions = ops.filter((op) => op.type !== 'invoke').map((op) => [op.id, op.type, op.value, op.process, op.cached ?? false]);
  t.same(completions, [
    ['w1', 'ok', 'payload of w1', 0, false],
    ['r1', 'ok', 'payload of w1', 0, false],
    ['w2', 'fail', 'payload of w2', 0, false],
    ['w3', 'info', 'payload of w3', 0, false],
    ['w4', 'info', 'payload of w4', 1, false],
    ['r2', 'ok', 'payload of w1', 2, true],
  ]);
  t.same(
    ops.map((op) => op.type),
    ['invoke', 'ok', 'invoke', 'ok', 'invoke', 'fail', 'invoke', 'info', 'invoke', 'info', 'invoke', 'ok'],
    'an invoke before each completion, in time order',
  );
  t.equal(ops.find((op) => op.id === 'w3' && op.type === 'info')?.time, 530_000_000, 'time in ns since the scenario started');
  t.equal(ops.find((op) => op.id === 'r1' && op.type === 'invoke')?.value, null, 'a read is invoked without a value');
});

t.test('a queued write stays open on its process until its replay is acknowledged; one never delivered ends as info', async (t) => {
  const ops = historyOf([
    result([
      request('q1', 'write', 0, 5, 'queued', 'ECONNRESET'),
      request('w2', 'write', 10, 11, 'ok'),
      { type: 'replay', id: 'q1', path: 'primary', start: 20, end: 22, ok: true },
      request('q3', 'write', 30, 35, 'queued', 'ECONNRESET'),
    ]),
  ]);
  const line = (id: string, type: string) => ops.find((op) => op.id === id && op.type === type);
  t.equal(line('q1', 'ok')?.time, 22_000_000, 'q1 completes when its replay was acknowledged');
  t.equal(line('q1', 'invoke')?.process, 0);
  t.equal(line('w2', 'invoke')?.process, 1, 'the next operation of the path gets a new process: q1 is still open');
  t.equal(line('q3', 'info')?.time, 1000_000_000, 'q3 was never delivered: info at the scenario’s end');
});
