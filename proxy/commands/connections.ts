/**
 * Connection and partition commands (faultline's own): `connections NAME`, `cut NAME`,
 * `partition NAME --mode drop|blackhole|refuse` and `heal NAME`, shorthands over the API.
 */
import type { CommandModule } from 'yargs';
import { CLIENTS_FLAG_HELP, parseClientsFlag } from '../../cli/clients-flag.js';
import { CliError } from '../../cli/errors.js';
import { clientFor, withName, type GlobalArgs } from '../../cli/global.js';
import { printJson, printTable } from '../../cli/output.js';
import { apiPath } from '../../protocol/api-client.js';
import { PARTITION_MODES, PARTITION_TOXICS, partitionToxics, type PartitionMode } from '../../protocol/partition.js';
import { CUT_MODES, type ClientSelector, type ConnectionJson, type CutMode, type ProxyJson } from '../../protocol/wire.js';

type NameArgs = GlobalArgs & { name: string };

/** `faultline connections NAME`. */
export const connectionsCommand: CommandModule<GlobalArgs, NameArgs> = {
  command: 'connections <name>',
  aliases: ['conns'],
  describe: 'List the live connections of a proxy',
  builder: withName,
  handler: async (argv) => {
    const list = await clientFor(argv).request<ConnectionJson[]>('GET', apiPath('proxies', argv.name, 'connections'));
    if (argv.json) return printJson(list);
    if (list.length === 0) return void process.stdout.write(`no live connections on ${argv.name}\n`);
    printTable(
      ['ID', 'CLIENT', 'OPENED', 'STATE', 'BYTES UP', 'BYTES DOWN', 'TOXICS'],
      list.map((c) => [
        String(c.id),
        c.client,
        c.opened_at,
        c.state,
        String(c.bytes_up),
        String(c.bytes_down),
        [...c.toxics.upstream.map((n) => `${n}↑`), ...c.toxics.downstream.map((n) => `${n}↓`)].join(' '),
      ]),
    );
  },
};

type CutArgs = NameArgs & { id?: number; mode: CutMode };

/** `faultline cut NAME [--id ID] [--mode reset|close]`. */
export const cutCommand: CommandModule<GlobalArgs, CutArgs> = {
  command: 'cut <name>',
  describe: 'Cut live connections once (all, or one by --id); new connections are left alone',
  builder: (y) =>
    withName(y)
      .option('id', { type: 'number', describe: 'the connection to cut (see `faultline connections`)' })
      .option('mode', { choices: CUT_MODES, default: 'reset' as CutMode, describe: 'RST or FIN' }) as never,
  handler: async (argv) => {
    const segments = argv.id === undefined ? ['proxies', argv.name, 'connections'] : ['proxies', argv.name, 'connections', String(argv.id)];
    const result = await clientFor(argv).request<{ cut: number }>('DELETE', `${apiPath(...segments)}?mode=${argv.mode}`);
    if (argv.json) printJson(result);
    else process.stdout.write(`cut ${result.cut} connection(s) of ${argv.name} (${argv.mode})\n`);
  },
};

type PartitionArgs = NameArgs & { mode: PartitionMode; cut: CutMode; clients?: string };

/**
 * `faultline partition NAME --mode drop|blackhole|refuse [--clients …]`. A partition already on
 * the proxy is replaced, not stacked: the new one is put in place first and the old one taken away
 * after, so no traffic passes in between. `--clients` partitions only the connections it picks
 * (not with refuse, which stops the listener for everyone).
 */
export const partitionCommand: CommandModule<GlobalArgs, PartitionArgs> = {
  command: 'partition <name>',
  describe: 'Partition a proxy: drop (cut everything), blackhole (silence) or refuse (stop listening); replaces a previous partition',
  builder: (y) =>
    withName(y)
      .option('mode', { choices: PARTITION_MODES, demandOption: true, describe: 'kind of partition' })
      .option('cut', { choices: CUT_MODES, default: 'reset' as CutMode, describe: 'drop: RST or FIN' })
      .option('clients', { type: 'string', describe: `drop, blackhole: ${CLIENTS_FLAG_HELP}` }) as never,
  handler: async (argv) => {
    const selector = argv.clients === undefined ? undefined : parseClientsFlag(argv.clients);
    if (argv.mode === 'refuse' && selector) throw new CliError('--clients: a refuse partition stops the listener for every client; use drop or blackhole', 'ERR_USAGE');
    const clients = selector && Object.keys(selector).length > 0 ? (selector as ClientSelector) : undefined;
    const api = clientFor(argv);
    const path = apiPath('proxies', argv.name);
    const proxy = await api.request<ProxyJson>('GET', path);
    const wanted = argv.mode === 'refuse' ? [] : partitionToxics(argv.mode, argv.cut, true, clients);
    const ours = PARTITION_TOXICS as readonly string[];
    if (argv.mode === 'refuse' && proxy.enabled) await api.request('POST', path, { enabled: false });
    for (const toxic of wanted) {
      const current = proxy.toxics.find((t) => t.name === toxic.name);
      const toxicPath = apiPath('proxies', argv.name, 'toxics', toxic.name);
      if (current?.type === toxic.type && current.stream === toxic.stream) {
        // A partition without --clients clears the selector of the one it replaces.
        await api.request('POST', toxicPath, { attributes: toxic.attributes, toxicity: 1, clients: toxic.clients ?? {} });
        continue;
      }
      if (current) await api.request('DELETE', toxicPath);
      await api.request('POST', apiPath('proxies', argv.name, 'toxics'), toxic);
    }
    const stale = proxy.toxics.filter((t) => ours.includes(t.name) && !wanted.some((w) => w.name === t.name));
    for (const toxic of stale) await api.request('DELETE', apiPath('proxies', argv.name, 'toxics', toxic.name));
    if (argv.mode !== 'refuse' && !proxy.enabled) await api.request('POST', path, { enabled: true });
    if (argv.json) printJson({ proxy: argv.name, partition: argv.mode, replaced: stale.map((t) => t.name), ...(clients ? { clients } : {}) });
    else process.stdout.write(`proxy ${argv.name} partitioned (${argv.mode}${clients ? `, clients ${JSON.stringify(clients)}` : ''})\n`);
  },
};

/** `faultline heal NAME`: removes what `partition` added and enables the proxy. */
export const healCommand: CommandModule<GlobalArgs, NameArgs> = {
  command: 'heal <name>',
  describe: 'Undo `partition`: remove its toxics and enable the proxy',
  builder: withName,
  handler: async (argv) => {
    const api = clientFor(argv);
    const proxy = await api.request<ProxyJson>('GET', apiPath('proxies', argv.name));
    const removed = proxy.toxics.filter((t) => (PARTITION_TOXICS as readonly string[]).includes(t.name)).map((t) => t.name);
    for (const name of removed) await api.request('DELETE', apiPath('proxies', argv.name, 'toxics', name));
    if (!proxy.enabled) await api.request('POST', apiPath('proxies', argv.name), { enabled: true });
    if (argv.json) printJson({ proxy: argv.name, removed, enabled: true });
    else process.stdout.write(`proxy ${argv.name} healed${removed.length ? ` (removed ${removed.join(', ')})` : ''}\n`);
  },
};
