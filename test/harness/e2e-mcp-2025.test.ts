import t from 'tap';
import { MCP_SCENARIOS } from '../../harness/builtins.js';
import { schemaErrors } from '../helpers/harness.js';
import { checkMcpReports, runMcpSuite } from '../helpers/mcp-suite.js';

const SDK = '@modelcontextprotocol/sdk 1.32.2';

t.test('the MCP suite on 2025-11-25 (SDK 1.32.2 client and server, a correct event store), reconciled with both ledgers', async (t) => {
  const { results, upstream, skipped } = await runMcpSuite(t, '2025-11-25', {}, [...MCP_SCENARIOS, 'connection_recovery']);
  t.same(skipped, []);
  t.same(schemaErrors(results), [], 'the results match harness/result.schema.json');
  checkMcpReports(t, results);
  const [cut, twice, loss, recovery] = results;
  t.ok(recovery?.passed, `a plan scenario on 2025-11-25: ${recovery?.error_message ?? 'passed'}`);
  t.equal(recovery?.notifications_recovered, true, 'notifications checked after its heal');
  for (const r of results) {
    t.equal(r.mcp_protocol, '2025-11-25', `${r.test_name}: spoke 2025-11-25 on the wire`);
    t.equal(r.mcp_sdk, SDK);
    t.ok(r.ledger.checked, `${r.test_name}: ledger checked`);
    t.equal(r.reissued_requests, 0, `${r.test_name}: nothing re-issued`);
  }

  t.ok(cut?.passed, `stream_cut_mid_call: ${cut?.error_message ?? 'passed'}`);
  const call = cut?.mcp_calls[0];
  t.equal(call?.requests.length, 1, 'one request: the stream was resumed, not re-issued');
  t.same(call?.requests[0]?.delivered, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'every progress step exactly once, in order');
  t.ok((cut?.resumed_streams ?? 0) >= 1, `resumed ${cut?.resumed_streams} stream(s) with Last-Event-ID`);
  t.ok((cut?.replayed_events ?? 0) >= 1, `${cut?.replayed_events} event(s) replayed`);
  t.equal(cut?.missing_events, 0);
  t.equal(cut?.duplicate_events, 0);
  const server = call?.requests[0]?.server;
  t.not(server?.stream_closed_at, null, 'the server saw the stream close');
  t.equal(server?.aborted_at, null, 'and kept working: a disconnect is no cancellation on 2025-11-25');
  t.equal(server?.steps.length, 10);
  t.equal(call?.applied, 1, 'applied once');
  t.equal(upstream.ledger().get(call?.id ?? ''), 1);

  t.notOk(twice?.passed, 'double_disconnect_resume fails on SDK 1.32.2');
  const defect = twice?.known_defects.find((d) => d.id === 'resume-without-last-event-id');
  t.match(defect, { sdk: SDK, reference: /PR #2509/ }, 'the report names the defect and the SDK');
  const hung = twice?.mcp_calls[0];
  t.equal(hung?.ok, false, 'the call never got its result');
  t.equal(hung?.requests[0]?.server?.completed_at === null, false, 'though the server completed it');
  t.ok(twice?.ledger.applied_unacknowledged.includes(hung?.id ?? ''), 'applied but unacknowledged');
  t.ok((twice?.missing_events ?? 0) > 0, `${twice?.missing_events} progress steps never reached the client`);
  t.match(twice?.error_message, /call_completed was false/);
  t.same(twice?.work_after_cancel, [], 'the cancel the SDK sent at its timeout came after the work was done');

  t.ok(loss?.passed, `notification_stream_loss: ${loss?.error_message ?? 'passed'}`);
  t.equal(loss?.notifications_recovered, true);
  const partition = loss?.windows?.[0];
  const onTimeline = (wall: number): number => wall - (loss?.wall_origin_ms ?? 0);
  const during = upstream.calls().notices.filter((n) => partition && onTimeline(n.at) > partition.applied_ms && onTimeline(n.at) < (partition.healed_ms ?? 0));
  t.equal(during.length, 3, 'the server pushed 3 notifications during the partition');
  const arrivals = (n: number) => (loss?.timeline ?? []).flatMap((e) => (e.type === 'mcp' && e.message === 'notification' && e.notice === n ? [e] : []));
  for (const { n } of during) {
    t.equal(arrivals(n).length, 1, `notification ${n} arrived once`);
    t.equal(arrivals(n)[0]?.replayed, true, `notification ${n} was replayed on a resumed stream`);
  }
  t.ok((loss?.replayed_events ?? 0) >= 3, `${loss?.replayed_events} replayed (a notification pushed while the stream was handed over is replayed too)`);
  t.equal(loss?.missing_events, 0);
  t.equal(loss?.duplicate_events, 0);
  t.match(loss?.known_defects.find((d) => d.id === 'reconnection-gave-up'), { sdk: SDK }, 'the SDK gave up re-opening the stream');
  t.ok((loss?.notification_stream_repairs ?? 0) >= 1, 'the repair counter counts the probe\'s re-open');
  const pushed = upstream.calls().notices.filter((n) => n.at >= Date.now() - 60_000).length;
  t.ok(pushed >= 4, `${pushed} notifications pushed in all`);
});

t.test("with the SDK's example event store, the resumed notification stream delivers nothing (SDK issue #943, SDK 1.32.2 server)", async (t) => {
  const { results } = await runMcpSuite(t, '2025-11-25', { eventStore: 'sdk-example' }, ['notification_stream_loss']);
  const [loss] = results;
  t.notOk(loss?.passed);
  t.equal(loss?.notifications_recovered, false, 'notifications did not recover');
  t.ok((loss?.resumed_streams ?? 0) >= 1, 'though the stream was resumed (HTTP 200)');
  t.equal(loss?.replayed_events, 0, 'and nothing was replayed');
  t.ok((loss?.missing_events ?? 0) >= 1, `${loss?.missing_events} notification(s) missing, the check's among them`);
  t.match(loss?.known_defects.find((d) => d.id === 'example-event-store-replay'), { sdk: SDK, reference: /issue #943/ });
});
