/** Proxy commands with toxiproxy-cli's verbs: list, inspect, create, toggle, delete. */
import type { CommandModule } from 'yargs';
import { clientFor, withName, type GlobalArgs } from '../../cli/global.js';
import { printJson, printProxies, printProxy, proxyOut } from '../../cli/output.js';
import { apiPath } from '../../protocol/api-client.js';
import type { ProxyJson } from '../../protocol/wire.js';

type NameArgs = GlobalArgs & { name: string };

/** `faultline list`: every proxy. */
export const listCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'list',
  aliases: ['ls', 'l'],
  describe: 'List proxies',
  handler: async (argv) => {
    const proxies = await clientFor(argv).request<Record<string, ProxyJson>>('GET', '/proxies');
    if (argv.json) printJson(Object.fromEntries(Object.entries(proxies).map(([name, p]) => [name, proxyOut(p)])));
    else printProxies(Object.values(proxies));
  },
};

/** `faultline inspect NAME`: one proxy and its toxics. */
export const inspectCommand: CommandModule<GlobalArgs, NameArgs> = {
  command: 'inspect <name>',
  aliases: ['i'],
  describe: 'Show a proxy and its toxics',
  builder: withName,
  handler: async (argv) => {
    const proxy = await clientFor(argv).request<ProxyJson>('GET', apiPath('proxies', argv.name));
    if (argv.json) printJson(proxyOut(proxy));
    else printProxy(proxy);
  },
};

type CreateArgs = NameArgs & { listen: string; upstream: string; disabled: boolean };

/** `faultline create NAME --listen A --upstream B`. */
export const createCommand: CommandModule<GlobalArgs, CreateArgs> = {
  command: 'create <name>',
  aliases: ['c', 'new'],
  describe: 'Create a proxy',
  builder: (y) =>
    withName(y)
      .option('listen', { alias: 'l', type: 'string', demandOption: true, describe: 'address to listen on, host:port' })
      .option('upstream', { alias: 'u', type: 'string', demandOption: true, describe: 'address to forward to, host:port' })
      .option('disabled', { type: 'boolean', default: false, describe: 'create it disabled' }),
  handler: async (argv) => {
    const body = { name: argv.name, listen: argv.listen, upstream: argv.upstream, enabled: !argv.disabled };
    const proxy = await clientFor(argv).request<ProxyJson>('POST', '/proxies', body);
    if (argv.json) printJson(proxyOut(proxy));
    else process.stdout.write(`created proxy ${proxy.name} listening on ${proxy.listen} → ${proxy.upstream}\n`);
  },
};

/** `faultline toggle NAME`: enables a disabled proxy, disables an enabled one. */
export const toggleCommand: CommandModule<GlobalArgs, NameArgs> = {
  command: 'toggle <name>',
  aliases: ['tog'],
  describe: 'Enable or disable a proxy',
  builder: withName,
  handler: async (argv) => {
    const api = clientFor(argv);
    const path = apiPath('proxies', argv.name);
    const current = await api.request<ProxyJson>('GET', path);
    const proxy = await api.request<ProxyJson>('POST', path, { enabled: !current.enabled });
    if (argv.json) printJson(proxyOut(proxy));
    else process.stdout.write(`proxy ${proxy.name} is now ${proxy.enabled ? 'enabled' : 'disabled'}\n`);
  },
};

/** `faultline delete NAME`. */
export const deleteCommand: CommandModule<GlobalArgs, NameArgs> = {
  command: 'delete <name>',
  aliases: ['d'],
  describe: 'Delete a proxy',
  builder: withName,
  handler: async (argv) => {
    await clientFor(argv).request('DELETE', apiPath('proxies', argv.name));
    if (argv.json) printJson({ deleted: argv.name });
    else process.stdout.write(`deleted proxy ${argv.name}\n`);
  },
};
