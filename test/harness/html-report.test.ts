import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import yargs from 'yargs';
import { builtinScenarios } from '../../harness/builtins.js';
import { report } from '../../harness/commands/output.js';
import { reportCommand } from '../../harness/commands/report.js';
import { renderHtml } from '../../harness/reporters/html.js';
import { readResults, type ReadableResult } from '../../harness/result-schema.js';
import type { Entry } from '../../harness/timeline.js';
import { chromiumMissing, decodePng, renderPage } from '../helpers/browser.js';
import { runDemo } from '../helpers/harness.js';

const FIXTURE = new URL('../fixtures/partition-results.json', import.meta.url);
/** The stored results file, as a reporter reads it (written before fault windows: they come from its timelines). */
const fixture = async (): Promise<ReadableResult[]> => readResults(await readFile(FIXTURE, 'utf8'));
const count = (text: string, needle: string): number => text.split(needle).length - 1;
const ofType = (r: ReadableResult, ...types: string[]): Entry[] => (r.timeline ?? []).filter((e) => types.includes(e.type));
/** Results as `faultline report` reads them back (fault windows worked out again from each timeline). */
const reread = (results: readonly ReadableResult[]): ReadableResult[] =>
  readResults(JSON.stringify(results.map(({ windows: _windows, ...rest }) => rest)));

/** A fresh temporary folder, removed at teardown. */
async function tempDir(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'faultline-html-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The SVG timelines of a page, in order. */
function timelines(html: string): string[] {
  return html.split('<svg class="timeline"').slice(1).map((chunk) => chunk.slice(0, chunk.indexOf('</svg>')));
}

/** Checks that `html` holds one timeline per result, with a band per fault and a mark per request, replay and notification. */
function checkTimelines(t: Test, html: string, results: readonly ReadableResult[]): void {
  const svgs = timelines(html);
  t.equal(svgs.length, results.length, 'one SVG timeline per scenario');
  const tables = html.split('<table class="windows">').slice(1).map((chunk) => chunk.slice(0, chunk.indexOf('</table>')));
  t.equal(tables.length, results.filter((r) => (r.windows ?? []).length > 0).length, 'a windows table under each timeline that has windows');
  t.equal(count(html, '<tr class="window">'), results.reduce((n, r) => n + (r.windows ?? []).length, 0), 'a table row per window');
  for (const [i, r] of results.entries()) {
    const svg = svgs[i] ?? '';
    const name = `${r.test_name} [${r.probe}]`;
    t.equal(count(svg, 'class="fault-band"'), ofType(r, 'fault').length, `${name}: a band per fault`);
    t.equal(count(svg, 'class="req"'), ofType(r, 'request').length, `${name}: a point per request`);
    t.equal(count(svg, 'class="replay"'), ofType(r, 'replay').length, `${name}: a mark per replay`);
    t.equal(count(svg, 'class="notification"'), ofType(r, 'notification').length, `${name}: a mark per notification check`);
    const retried = (r.timeline ?? []).filter((e) => e.type === 'request' && e.attempts.length > 1).length;
    t.equal(count(svg, 'data-retried="true"'), retried, `${name}: retried requests are marked`);
    const okAttempts = (r.timeline ?? []).flatMap((e) => (e.type === 'request' ? e.attempts.filter((a) => a.ok) : [])).length;
    t.equal(count(svg, 'class="rtt"'), okAttempts, `${name}: a round-trip point per successful attempt`);
    const windows = r.windows ?? [];
    t.equal(count(svg, 'class="fault-band"'), windows.length, `${name}: a band per fault window`);
    t.equal(count(svg, 'data-marker="detection"'), windows.filter((w) => w.detection_ms !== null).length, `${name}: a detection marker per window that saw a failure`);
    t.equal(count(svg, 'data-marker="recovery"'), windows.filter((w) => w.recovery_ms !== null).length, `${name}: a recovery marker per healed window that recovered`);
    t.equal(count(svg, 'class="transport-tick"'), windows.filter((w) => w.detection_ms !== null && w.transport_detection_ms !== null).length, `${name}: a tick where the transport saw the fault`);
    if (r.metrics.detection_time_ms !== null) t.match(svg, 'data-marker="detection"', `${name}: detection marked`);
    if (r.metrics.recovery_time_ms !== null) t.match(svg, 'data-marker="recovery"', `${name}: recovery marked`);
  }
}

t.test('renders real results of built-in scenarios: a timeline per scenario with its faults, requests and measurements', async (t) => {
  const { results } = await runDemo(t, 'tcp', await builtinScenarios(['full_connection_loss', 'no_cascading_failures']));
  const html = renderHtml(results, { target: 0.85 });
  checkTimelines(t, html, results);
  t.match(html, /<h1>Network partition test report<\/h1>/);
  t.match(html, /Graceful handling · target 85%/, 'the header names the target');
  t.match(html, /✓ MET/);
  t.match(html, /partition:drop/, 'the drop partition is labelled');
  t.match(html, /partition:blackhole/, 'the black hole is labelled');
  t.match(html, /detection [\d.]+ ms \(client timeout\)/, 'a black-hole detection says the client timeout bounds it');
  t.match(html, /data-marker="loss window"/);
  t.equal(count(html, '<tr><td><a href="#s'), 2, 'a summary row per scenario');
  t.equal(count(timelines(html)[1] ?? '', 'class="lane-name"'), 2, 'no_cascading_failures has a lane per path');
});

t.test('the page is self-contained: no script, no external resource', async (t) => {
  const html = renderHtml(await fixture());
  t.notMatch(html, /<script|<link|<img|@import|src=|url\(/i, 'nothing to load or run');
  t.notMatch(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, ''), /https?:\/\//, 'no address outside the page');
  t.match(html, /<title>[^<]*\n[^<]*attempts?/, 'request marks carry hover details (id, outcome, attempts)');
});

t.test('text from results files is escaped everywhere', async (t) => {
  const [first] = await fixture();
  const evil = '<script>alert("x")</script>&\'';
  const hostile: ReadableResult = {
    ...(first as ReadableResult),
    test_name: evil,
    title: evil,
    probe: evil,
    passed: false,
    failed_expectations: [evil],
    timeline: ((first as ReadableResult).timeline ?? []).map((e) => ({ ...e, path: evil, ...(e.type === 'fault' ? { fault: evil } : {}) })) as Entry[],
  };
  const html = renderHtml(reread([hostile]));
  t.notMatch(html, '<script>', 'no raw tag from the file');
  t.notMatch(html, 'alert("x")', 'no raw quote from the file');
  t.match(html, '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;', 'the text shown escaped');
});

t.test('draws every outcome, replay and notification state, and unhealed faults; tolerates results without a timeline', async (t) => {
  const base = (await fixture())[0] as ReadableResult;
  const request = (id: string, outcome: 'ok' | 'failed' | 'queued' | 'cached', at: number, tries = 1): Entry => ({
    type: 'request', id, path: 'primary', kind: 'read', faulted: true, epoch: 0, start: at, end: at + 5, outcome,
    attempts: Array.from({ length: tries }, (_, i) => {
      const ok = outcome === 'ok' && i === tries - 1;
      return { ok, start: at + i, end: at + i + 1, ...(ok ? {} : { error: 'ECONNRESET' }) };
    }),
  });
  const timeline: Entry[] = [
    { type: 'fault', path: 'primary', fault: 'toxic:bandwidth', requested: 5, applied: 10, source: 'api-response' },
    { type: 'fault', path: 'primary', fault: 'latency', requested: 15, applied: 20, source: 'api-response' },
    request('a', 'ok', 30, 2), request('b', 'failed', 40, 3), request('c', 'queued', 50), request('d', 'cached', 60),
    { type: 'replay', id: 'c', path: 'primary', start: 70, end: 72, ok: false, error: 'timeout' },
    { type: 'notification', path: 'primary', at: 80, ok: false, repaired: false },
    { type: 'notification', path: 'primary', at: 90, ok: true, repaired: true },
  ];
  const html = renderHtml(reread([{ ...base, timeline, duration_ms: 100 }]));
  for (const outcome of ['ok', 'failed', 'queued', 'cached']) t.match(html, `class="req" data-outcome="${outcome}"`, `${outcome} drawn`);
  t.match(html, 'class="replay" data-ok="false"', 'a failed replay');
  t.match(html, 'data-state="lost"', 'a lost notification');
  t.match(html, 'data-state="repaired"', 'a repaired notification stream');
  t.match(html, 'data-fault="toxic:bandwidth"');
  t.match(html, 'not healed before the end', 'a fault never healed runs to the end');
  t.equal(count(html, 'data-retried="true"'), 2);

  const { timeline: _timeline, ledger: _ledger, probe: _probe, windows: _windows, ...planOnly } = base;
  const bare = renderHtml([planOnly as ReadableResult]);
  t.equal(timelines(bare).length, 1, 'a result without a timeline still gets its (empty) timeline');
});

t.test('faultline report writes the page, and a bad results file exits 2 naming the file', async (t) => {
  const dir = await tempDir(t);
  const run = async (...args: string[]): Promise<{ error: (Error & { exitCode?: number }) | null; out: string }> => {
    const stdout = t.capture(process.stdout, 'write');
    try {
      await yargs(args)
        .command(reportCommand as never)
        .strict()
        .fail((message, err) => {
          throw err ?? new Error(message);
        })
        .parseAsync();
      return { error: null, out: stdout.args().map((a) => String(a[0])).join('') };
    } catch (err) {
      return { error: err as Error, out: '' };
    } finally {
      stdout.restore();
    }
  };
  const page = join(dir, 'out', 'report.html');
  const good = await run('report', FIXTURE.pathname, '--html', page);
  t.equal(good.error, null);
  t.match(good.out, `HTML report: ${page} (5 scenario runs)`);
  t.equal(timelines(await readFile(page, 'utf8')).length, 5);

  const [first] = await fixture();
  const badRequest = { type: 'request', id: 'x', path: 'p', kind: 'write', faulted: false, epoch: 0, start: 0, end: 1, outcome: 'maybe', attempts: [] };
  const cases: Array<[string, string, RegExp]> = [
    ['missing.json', '', /missing\.json: cannot read the results file \(ENOENT\)/],
    ['text.json', 'not json', /text\.json: not JSON/],
    ['object.json', '{"test_name":"x"}', /object\.json: expected a JSON array of scenario results.*got object/],
    ['field.json', JSON.stringify([{ ...first, duration_ms: 'slow' }]), /field\.json: result 1 \(full_connection_loss\): duration_ms must be a number/],
    ['entry.json', JSON.stringify([{ ...first, timeline: [badRequest] }]), /entry\.json: .*timeline\[0\]\.outcome must be one of ok, failed, queued, cached/],
  ];
  for (const [name, text, message] of cases) {
    const file = join(dir, name);
    if (text) await writeFile(file, text);
    const { error } = await run('report', file);
    t.match(error?.message, message, `${name}: ${error?.message}`);
    t.equal(error?.exitCode, 2, `${name}: exit code 2`);
  }
});

t.test('run and demo write the HTML report with --html', async (t) => {
  const dir = await tempDir(t);
  const results = await fixture();
  const stdout = t.capture(process.stdout, 'write');
  const code = await report(results, { 'out-dir': dir, target: 0.85, quiet: true, html: join(dir, 'page.html') });
  const targetOnly = await report(results, { 'out-dir': dir, target: 0.85, 'exit-on': 'target', quiet: true });
  stdout.restore();
  t.match(stdout.args().map((a) => String(a[0])).join(''), `HTML report: ${join(dir, 'page.html')}`);
  t.equal(code, 1, 'the file holds failed scenarios: exit 1');
  t.equal(targetOnly, 0, 'their graceful-handling target is met: exit 0 with --exit-on target');
  t.equal(timelines(await readFile(join(dir, 'page.html'), 'utf8')).length, results.length);
});

t.test('in headless Chromium the report renders: no console error, a timeline per scenario, a painted picture', async (t) => {
  const missing = chromiumMissing();
  if (missing) return void t.fail(missing);
  const dir = await tempDir(t);
  const results = await fixture();
  // A name that would run script if it were not escaped: it must stay text.
  results.push({ ...(results[0] as ReadableResult), test_name: '<img src=x onerror="console.error(1)"><script>console.error(2)</script>' });
  const file = join(dir, 'report.html');
  await writeFile(file, renderHtml(results));
  const page = await renderPage(file);
  t.same(page.console, [], 'the page logged nothing (no uncaught error, no failed load)');
  checkTimelines(t, page.dom, results);
  t.match(page.dom, /<table>[\s\S]*<\/table>/, 'the summary table is in the DOM');

  t.ok(page.png.length > 60_000, `the screenshot is ${page.png.length} bytes`);
  const { width, height, rgb } = decodePng(page.png);
  t.same([width, height], [1400, 2000], 'the screenshot has the window size');
  const colours = new Set<number>();
  let tinted = 0;
  let ink = 0;
  for (let i = 0; i < rgb.length; i += 3) {
    const [r, g, b] = [rgb[i] as number, rgb[i + 1] as number, rgb[i + 2] as number];
    colours.add((r << 16) | (g << 8) | b);
    if (r - g >= 15 && r - b >= 15 && g >= 150 && b >= 150) tinted++;
    if (r + g + b < 600) ink++;
  }
  t.ok(colours.size > 200, `the picture has ${colours.size} colours (not blank)`);
  t.ok(ink > width * height * 0.01, `${ink} dark pixels: text and marks were painted`);
  // Without fault bands about 2,000 pixels have this light red/orange tint (badges, alert boxes); with them, far more.
  t.ok(tinted > 10_000, `${tinted} pixels of fault-band tint: the fault bands were painted`);
});

t.test('the browser check catches a page error', async (t) => {
  const missing = chromiumMissing();
  if (missing) return void t.fail(missing);
  const file = join(await tempDir(t), 'broken.html');
  await writeFile(file, '<!doctype html><p>broken</p><script>throw new Error("boom")</script>');
  const page = await renderPage(file, 400, 300);
  t.match(page.console.join('\n'), /Uncaught Error: boom/);
});
