/**
 * The deployment files: docker-compose.yml validates with docker-compose, and each of its services'
 * commands, run as a real process on 127.0.0.1 (service names and ports made loopback), works:
 * the server with its config, the upstreams, their health checks, and the harness writing results.
 * The Dockerfile is checked statically, and its default command runs as the Toxiproxy image would.
 * No Docker engine is needed.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t, { type Test } from 'tap';
import { BIN, faultline, serverProcess } from '../helpers/cli.js';
import {
  dockerStages,
  execForm,
  flagValue,
  Loopback,
  mountOf,
  readCompose,
  ROOT,
  withFlag,
  type ComposeService,
  type Instruction,
} from '../helpers/compose.js';
import { closedPort, runNode, upstreamProcess } from '../helpers/deploy-processes.js';
import { portOf } from '../helpers/net.js';

const COMPOSE_FILE = join(ROOT, 'docker-compose.yml');
const APT_INSTALL = 'apt-get install -y --no-install-recommends docker-compose';
/** The built-in scenario the harness service runs here: a short one whose outcome depends on no random draw. */
const SCENARIOS = ['connection_recovery'];

/** Static imports (at the start of a line, so not doc-comment examples) and dynamic ones in compiled JS. */
const IMPORT_SPECIFIER = /^(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]|^import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm;

interface ConfigEntry {
  name: string;
  listen?: string;
  upstream: string;
  toxics?: Array<{ name?: string; type: string; stream?: string; attributes?: Record<string, unknown> }>;
}

interface ApiProxy {
  listen: string;
  upstream: string;
  toxics: Array<{ name: string; type: string; stream: string; attributes: Record<string, unknown> }>;
}

/** A temporary folder, removed at teardown. */
async function tempDir(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'faultline-deploy-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function commandOf(service: ComposeService): string[] {
  const { command } = service;
  if (!Array.isArray(command) || !command.every((a) => typeof a === 'string')) throw new Error('command must be a list of strings');
  return command;
}

/** The node one-liner of a `["CMD", "node", "-e", script]` health check. */
function healthScript(service: ComposeService): string {
  const test = service.healthcheck?.test;
  if (!Array.isArray(test) || test.length !== 4 || test[0] !== 'CMD' || test[1] !== 'node' || test[2] !== '-e') {
    throw new Error(`healthcheck.test must be ["CMD", "node", "-e", script], got ${JSON.stringify(test)}`);
  }
  return test[3] as string;
}

/** The health check passes against `127.0.0.1:actual` standing in for the container's `port`, and fails where nothing listens. */
async function checkHealth(t: Test, label: string, script: string, port: number, actual: number): Promise<void> {
  const target = `127.0.0.1:${port}`;
  t.ok(script.includes(target), `${label}: the health check targets ${target}`);
  const [up, down] = await Promise.all([
    runNode(['-e', script.replaceAll(target, `127.0.0.1:${actual}`)]),
    closedPort().then((closed) => runNode(['-e', script.replaceAll(target, `127.0.0.1:${closed}`)])),
  ]);
  t.equal(up, 0, `${label}: the health check passes`);
  t.not(down, 0, `${label}: it fails when nothing answers`);
}

/** The exec form after CMD in a HEALTHCHECK instruction's arguments. */
function healthcheckOf(args: string): string[] {
  const form = /\bCMD\s+(\[.*\])$/.exec(args)?.[1];
  if (form === undefined) throw new Error(`HEALTHCHECK needs an exec-form CMD: ${args}`);
  return execForm(form);
}

function finalStage(stages: Instruction[][]): { all: (keyword: string) => Instruction[]; last: (keyword: string) => string } {
  const final = stages.at(-1) ?? [];
  const all = (keyword: string): Instruction[] => final.filter((i) => i.keyword === keyword);
  return { all, last: (keyword) => all(keyword).at(-1)?.args ?? '' };
}

t.test('docker-compose accepts docker-compose.yml (config -q)', async (t) => {
  try {
    await promisify(execFile)('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], { cwd: ROOT });
    t.pass('docker-compose -f docker-compose.yml config -q exits 0');
  } catch (err) {
    const { code, stderr } = err as NodeJS.ErrnoException & { stderr?: string };
    if (code === 'ENOENT') t.fail(`docker-compose is not installed: run \`${APT_INSTALL}\` (it validates without a Docker engine)`);
    else t.fail(`docker-compose config -q exited ${code}: ${stderr}`);
  }
});

t.test('compose services: one image, faultline commands, health checks, dependencies, mounts', async (t) => {
  const compose = await readCompose(COMPOSE_FILE);
  t.equal(compose.name, undefined, 'no top-level name (docker-compose 1.29 rejects it)');
  const entries = Object.entries(compose.services);
  const images = new Set(entries.map(([, s]) => s.image));
  t.equal(images.size, 1, 'every service runs the same image');
  const kinds = new Set<string>();
  for (const [name, service] of entries) {
    const context = typeof service.build === 'string' ? service.build : service.build?.context;
    t.equal(context, '.', `${name}: built from ./Dockerfile (so no service tries to pull the image)`);
    t.equal(service.entrypoint, undefined, `${name}: the image's entrypoint (faultline) runs the command`);
    const kind = commandOf(service)[0] as string;
    kinds.add(kind);
    if (kind === 'run') {
      const named = entries.filter(([other, s]) => commandOf(s)[0] === 'server' || commandOf(service).some((a) => a.includes(`${other}:`))).map(([other]) => other);
      const waits = Object.entries(service.depends_on ?? {});
      t.same(named.filter((o) => !waits.some(([w, d]) => w === o && d.condition === 'service_healthy')), [], `${name}: waits for the server and every service it names to be healthy`);
      t.same(waits.filter(([w]) => commandOf(compose.services[w] as ComposeService)[0] === 'run'), [], `${name}: waits for no other harness`);
      t.ok(mountOf(service, flagValue(commandOf(service), '--out-dir') ?? ''), `${name}: --out-dir is a mounted folder`);
    } else {
      t.doesNotThrow(() => healthScript(service), `${name}: the health check is a node one-liner (no curl in the image)`);
      t.ok(service.healthcheck?.start_period, `${name}: the health check has a start_period`);
    }
  }
  t.same([...kinds].sort(), ['run', 'server', 'upstream'], 'a server, upstreams and the harness');
  const server = entries.find(([, s]) => commandOf(s)[0] === 'server')?.[1];
  t.ok(server?.ports?.some((p) => p.endsWith(':8474')), 'the control API is published');
});

t.test('each compose service command works as a real process on 127.0.0.1', async (t) => {
  const compose = await readCompose(COMPOSE_FILE);
  const services = Object.entries(compose.services).map(([name, service]) => ({ name, service, args: commandOf(service) }));
  const loopback = new Loopback();
  const kindByAddress = new Map<string, string>();

  await Promise.all(
    services
      .filter((s) => s.args[0] === 'upstream')
      .map(async ({ name, service, args }) => {
        const port = Number(flagValue(args, '--port'));
        const { address } = await upstreamProcess(t, withFlag(args, '--port', '0').map((a) => loopback.rewrite(a)));
        loopback.add(name, port, address);
        kindByAddress.set(address, args[1] as string);
        t.equal((await fetch(`http://${address}/health`)).status, 200, `${name}: GET /health answers`);
        await checkHealth(t, name, healthScript(service), port, portOf(address));
      }),
  );

  for (const { name, service, args } of services.filter((s) => s.args[0] === 'server')) {
    const configPath = flagValue(args, '--config') as string;
    const mount = mountOf(service, configPath);
    t.ok(mount?.readOnly, `${name}: ${configPath} is mounted read-only`);
    const entries = JSON.parse(await readFile(join(ROOT, mount?.host ?? ''), 'utf8')) as ConfigEntry[];
    const local = entries.map((e) => ({ ...e, listen: '127.0.0.1:0', upstream: loopback.rewrite(e.upstream) }));
    for (const e of local) t.ok(kindByAddress.has(e.upstream), `${name}: config proxy ${e.name} points at a compose service`);
    const config = join(await tempDir(t), 'config.json');
    await writeFile(config, JSON.stringify(local));
    const port = Number(flagValue(args, '--port') ?? 8474);
    const localArgs = withFlag(args.map((a) => loopback.rewrite(a)), '--config', config);
    const serverArgs = flagValue(localArgs, '--port') === undefined ? localArgs : withFlag(localArgs, '--port', '0');
    const { url } = await serverProcess(t, serverArgs.slice(1));
    loopback.add(name, port, new URL(url).host);
    t.match(await (await fetch(`${url}/version`)).json(), { version: '2.12.0' }, `${name}: GET /version answers`);
    await checkHealth(t, name, healthScript(service), port, Number(new URL(url).port));

    const proxies = (await (await fetch(`${url}/proxies`)).json()) as Record<string, ApiProxy>;
    for (const e of local) {
      const proxy = proxies[e.name];
      t.equal(proxy?.upstream, e.upstream, `${name}: proxy ${e.name} exists`);
      t.equal(proxy?.toxics.length, e.toxics?.length ?? 0, `${name}: proxy ${e.name} has its toxics`);
      for (const toxic of e.toxics ?? []) {
        const stream = toxic.stream ?? 'downstream';
        const found = proxy?.toxics.find((x) => x.name === (toxic.name ?? `${toxic.type}_${stream}`));
        t.match(found, { type: toxic.type, stream, attributes: toxic.attributes ?? {} }, `${name}: ${e.name} toxic ${toxic.name ?? toxic.type}`);
      }
      const through = await fetch(`http://127.0.0.1:${portOf(proxy?.listen ?? '')}/health`);
      t.match(await through.json(), { ok: true, kind: kindByAddress.get(e.upstream) }, `${name}: ${e.name} forwards to its upstream through its toxics`);
    }
  }

  for (const { name, service, args } of services.filter((s) => s.args[0] === 'run')) {
    t.ok(mountOf(service, flagValue(args, '--out-dir') as string), `${name}: results go to a mounted folder`);
    const outDir = await tempDir(t);
    // The image's /app is this repository (--client "node /app/examples/clients/…").
    const localArgs = withFlag(args.map((a) => loopback.rewrite(a).replaceAll('/app/', ROOT)), '--out-dir', outDir);
    const unresolved = localArgs.filter((a) => services.some((s) => new RegExp(`\\b${s.name}:\\d`).test(a)));
    t.same(unresolved, [], `${name}: every service address it names is a port that service listens on`);
    const result = await faultline([...localArgs, ...SCENARIOS]);
    t.equal(result.code, 0, `${name}: exits 0`, { output: result.stdout + result.stderr });
    const files = await readdir(outDir);
    t.equal(files.length, 1, `${name}: writes one results file`);
    t.match(files[0], /^network_partition_test_results_\d{8}_\d{6}\.json$/, `${name}: named as the plan names it`);
    const results = JSON.parse(await readFile(join(outDir, files[0] ?? ''), 'utf8')) as Array<{ test_name: string; probe: string }>;
    t.same(results.map((r) => r.test_name), SCENARIOS, `${name}: the results hold the scenarios run`);
    const probe = flagValue(args, '--client') === undefined ? flagValue(args, '--probe') : 'client';
    t.ok(results.every((r) => r.probe === probe), `${name}: with its probe (${probe})`);
  }
});

t.test('Dockerfile: multi-stage, non-root, Toxiproxy ports and readiness, faultline as entrypoint', async (t) => {
  const stages = dockerStages(await readFile(join(ROOT, 'Dockerfile'), 'utf8'));
  t.ok(stages.length >= 2, `multi-stage (${stages.length} FROM)`);
  const { all, last } = finalStage(stages);
  t.ok(last('USER') !== '' && !/^(root|0)(:|$)/.test(last('USER')), `runs as a non-root user (${last('USER')})`);
  const exposed = all('EXPOSE').flatMap((i) => i.args.split(/\s+/)).map((p) => p.replace(/\/tcp$/, ''));
  t.ok(exposed.includes('8474') && exposed.includes('8666-8697'), `EXPOSE 8474 8666-8697 (${exposed.join(' ')})`);
  t.ok(all('ENV').some((i) => /\bLOG_LEVEL=info\b/.test(i.args)), 'ENV LOG_LEVEL=info');
  t.same(execForm(last('ENTRYPOINT')), ['node', '/app/dist/bin/faultline.js'], 'ENTRYPOINT runs dist/bin/faultline.js');
  t.equal(all('WORKDIR')[0]?.args, '/app', 'the app is copied into /app');
  const copies = all('COPY').map((i) => i.args);
  const needed: Array<[string, RegExp]> = [
    ['node_modules', /\s(\.\/|\/app\/)?node_modules$/],
    ['dist', /\s(\.\/|\/app\/)?dist$/],
    ['package.json (the harness finds its scenarios beside it)', /\bpackage\.json\b/],
    ['harness/scenarios', /^harness\/scenarios\s/],
    ['examples/clients (for run --client)', /^examples\/clients\s/],
  ];
  for (const [what, pattern] of needed) t.ok(copies.some((c) => pattern.test(c)), `the runtime stage copies ${what}`);
  const cmd = execForm(last('CMD'));
  t.equal(cmd[0], 'server', 'CMD runs the server');
  t.equal(flagValue(cmd, '--host'), '0.0.0.0', 'CMD binds --host 0.0.0.0');
  t.ok(last('HEALTHCHECK'), 'HEALTHCHECK present');
  const health = healthcheckOf(last('HEALTHCHECK'));
  t.same(health.slice(0, 2), ['node', '-e'], 'HEALTHCHECK runs node (no curl in the image)');
  t.match(health[2], /127\.0\.0\.1:8474\/version/, 'HEALTHCHECK GETs /version');
  const installs = stages.flat().filter((i) => i.keyword === 'RUN' && /npm (ci|install)\b.*--omit=dev/.test(i.args));
  t.ok(installs.length > 0 && installs.every((i) => i.args.includes('--ignore-scripts')), 'production installs skip `prepare` (--ignore-scripts)');
});

t.test('the runtime image needs only production dependencies and the files .dockerignore keeps', async (t) => {
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { name: string; dependencies: Record<string, string> };
  const files = (await readdir(join(ROOT, 'dist'), { recursive: true })).filter((f) => f.endsWith('.js'));
  const imported = new Set<string>();
  for (const file of files) {
    const code = await readFile(join(ROOT, 'dist', file), 'utf8');
    for (const match of code.matchAll(IMPORT_SPECIFIER)) {
      const spec = match[1] ?? match[2] ?? match[3];
      if (spec === undefined || spec.startsWith('.') || spec.startsWith('node:') || builtinModules.includes(spec)) continue;
      imported.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string));
    }
  }
  const outside = [...imported].filter((name) => name !== pkg.name && !(name in pkg.dependencies));
  t.same(outside, [], `dist/ imports only dependencies (${[...imported].join(', ')})`);
  const ignored = (await readFile(join(ROOT, '.dockerignore'), 'utf8')).split('\n').map((l) => l.trim());
  t.ok(ignored.includes('node_modules') && ignored.includes('dist'), 'node_modules and dist stay out of the build context');
  const needed = ['package.json', 'package-lock.json', 'tsconfig.build.json', 'proxy', 'harness', 'harness/scenarios', 'bin', 'examples', 'examples/clients'];
  t.same(needed.filter((n) => ignored.includes(n)), [], 'the build inputs are in the context');
});

t.test('the image default command, run here, answers GET /version and passes its HEALTHCHECK', async (t) => {
  const { last } = finalStage(dockerStages(await readFile(join(ROOT, 'Dockerfile'), 'utf8')));
  const entry = execForm(last('ENTRYPOINT'))[1] ?? '';
  t.equal(join(ROOT, entry.replace(/^\/app\//, '')), BIN, `the image runs what ${BIN} is here`);
  const cmd = execForm(last('CMD')).map((a) => new Loopback().rewrite(a));
  const { url } = await serverProcess(t, cmd.slice(1));
  const version = await fetch(`${url}/version`);
  t.equal(version.status, 200, 'ready as testcontainers waits for it');
  t.match(await version.json(), { version: '2.12.0' }, 'it reports Toxiproxy 2.12.0');
  await checkHealth(t, 'image', healthcheckOf(last('HEALTHCHECK'))[2] ?? '', 8474, Number(new URL(url).port));
});
