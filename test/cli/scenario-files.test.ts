import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { faultline, serverProcess } from '../helpers/cli.js';

t.test('bad scenario files stop `faultline run` with exit 2, naming the file, the step and the field, before anything runs', async (t) => {
  const { url } = await serverProcess(t);
  const dir = await mkdtemp(join(tmpdir(), 'faultline-scenarios-'));
  const good = join(dir, 'good.yaml');
  await writeFile(good, 'name: good\ntype: Good\ntitle: Good\nsteps:\n  - send: 1\nexpect: {}\n');
  const cases: Array<[string, string, RegExp]> = [
    ['broken.yaml', 'name: [oops\n', /broken\.yaml: not valid YAML/],
    ['broken.json', '{"name": ', /broken\.json: not valid JSON/],
    ['unknown.yaml', 'name: u\ntype: U\ntitle: U\nsteps:\n  - send: 1\nexpect: {}\nsurprise: 1\n', /unknown\.yaml: invalid scenario\n.*surprise/],
    ['wrong.yaml', 'name: w\ntype: W\ntitle: W\nsteps:\n  - send: 1\n  - latency: { latency: "slow" }\nexpect: {}\n', /wrong\.yaml: invalid scenario\n\s+steps\[1\]\.latency\.latency: /],
    ['path.yaml', 'name: p\ntype: P\ntitle: P\nsteps:\n  - partition: { path: nowhere, mode: drop }\nexpect: {}\n', /path\.yaml: invalid scenario\n\s+steps\[0\]: unknown path "nowhere"/],
  ];
  for (const [name, content, message] of cases) {
    const file = join(dir, name);
    await writeFile(file, content);
    const result = await faultline(['run', good, file, '--proxy-url', url, '--upstream', '127.0.0.1:1', '--probe', 'connect', '--out-dir', dir]);
    t.equal(result.code, 2, `${name}: exit 2`);
    t.match(result.stderr, message, name);
    t.notMatch(result.stderr + result.stdout, /PASS|FAIL/, `${name}: no scenario ran (not even good.yaml)`);
  }
  const missing = await faultline(['run', join(dir, 'missing.yaml'), '--proxy-url', url, '--upstream', '127.0.0.1:1']);
  t.equal(missing.code, 2);
  t.match(missing.stderr, /missing\.yaml: cannot read \(ENOENT\)/);
  const proxies = (await (await fetch(`${url}/proxies`)).json()) as object;
  t.same(proxies, {}, 'no proxy was created on the server');
});
