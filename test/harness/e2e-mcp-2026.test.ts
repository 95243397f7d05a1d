import t from 'tap';
import { schemaErrors } from '../helpers/harness.js';
import { checkMcpReports, runMcpSuite } from '../helpers/mcp-suite.js';

const SDK = '@modelcontextprotocol/client 2.4.0';

t.test('the MCP suite on 2026-07-28 (SDK 2.4.0 client and server): re-issued with new ids, the closed streams cancelled, reconciled with both ledgers', async (t) => {
  const { results, upstream, skipped } = await runMcpSuite(t, '2026-07-28');
  t.same(skipped, ['notification_stream_loss'], 'the notification scenario is meant for 2025-11-25 only');
  t.same(schemaErrors(results), []);
  checkMcpReports(t, results);
  for (const r of results) {
    t.ok(r.passed, `${r.test_name}: ${r.error_message ?? 'passed'}`);
    t.equal(r.mcp_protocol, '2026-07-28', `${r.test_name}: spoke 2026-07-28 on the wire`);
    t.equal(r.mcp_sdk, SDK);
    t.equal(r.resumed_streams, 0, 'nothing to resume on 2026-07-28');
    t.same(r.work_after_cancel, [], 'the server stopped every request whose stream closed');
    t.same(r.ledger.duplicated, []);
    t.match(r.known_defects.find((d) => d.id === 'broken-stream-not-reissued'), { sdk: SDK }, 'the SDK did not re-issue: the probe did');
    const call = r.mcp_calls[0];
    t.equal(call?.applied, 1, `${r.test_name}: the write applied once`);
    t.equal(upstream.ledger().get(call?.id ?? ''), 1);
    const ids = call?.requests.map((q) => q.request_id) ?? [];
    t.equal(new Set(ids).size, ids.length, 'every re-issue has a new request id');
    const cut = call?.requests.filter((q) => q.server?.stream_closed_at) ?? [];
    t.ok(cut.length >= (r.test_name === 'double_disconnect_resume' ? 2 : 1), `${cut.length} request(s) cut`);
    for (const q of cut) {
      t.not(q.server?.aborted_at, null, `request ${q.request_id}: its handler was aborted`);
      t.equal(q.server?.completed_at, null, `request ${q.request_id}: and did not complete`);
      t.ok(q.abandoned, `request ${q.request_id}: abandoned by the client`);
    }
    t.same(call?.requests.at(-1)?.delivered.length, r.test_name === 'double_disconnect_resume' ? 4 : 10, 'the last request streamed every step');
  }
  t.ok((results[0]?.reissued_requests ?? 0) >= 1);
  t.ok((results[1]?.reissued_requests ?? 0) >= 2, 'double_disconnect_resume: re-issued at least twice');
});

t.test('2026-07-28: a server that works on after the stream closed applies the write twice; the report lists the work after cancel', async (t) => {
  const { results } = await runMcpSuite(t, '2026-07-28', { ignoreCancel: true }, ['stream_cut_mid_call']);
  const [cut] = results;
  t.notOk(cut?.passed);
  const id = cut?.mcp_calls[0]?.id ?? '';
  t.ok((cut?.work_after_cancel.length ?? 0) >= 1, `work after cancel: ${cut?.work_after_cancel.join(', ')}`);
  t.ok(cut?.work_after_cancel.every((w) => w.startsWith(`${id}/`)));
  t.same(cut?.ledger.duplicated, [id], 'the ledger shows the duplicate');
  t.match(cut?.error_message, /no_work_after_cancel was false.*no_duplicates was false/);
});
