/** `faultline toxic add|update|remove NAME …`, after toxiproxy-cli's `toxic` verbs. */
import type { Argv, CommandModule } from 'yargs';
import { CLIENTS_FLAG_HELP, parseClientsFlag } from '../../cli/clients-flag.js';
import { CliError } from '../../cli/errors.js';
import { clientFor, type GlobalArgs } from '../../cli/global.js';
import { describeToxic, printJson, printTable } from '../../cli/output.js';
import { apiPath } from '../../protocol/api-client.js';
import type { ToxicJson } from '../../protocol/wire.js';

/** Parses `key=value` attributes; numeric values become numbers (as toxiproxy-cli sends them). */
export function parseAttributes(pairs: readonly string[]): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CliError(`--attr ${JSON.stringify(pair)}: expected key=value`, 'ERR_USAGE');
    const value = pair.slice(eq + 1);
    attributes[pair.slice(0, eq)] = value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
  }
  return attributes;
}

interface ToxicArgs extends GlobalArgs {
  name: string;
  type?: string;
  toxicName?: string;
  stream?: string;
  upstream?: boolean;
  downstream?: boolean;
  toxicity?: number;
  attr: string[];
  clients?: string;
}

function options<T>(y: Argv<T>, requireType: boolean, requireName: boolean) {
  return y
    .positional('name', { type: 'string', demandOption: true, describe: 'proxy name' })
    .option('type', { alias: 't', type: 'string', demandOption: requireType, describe: 'toxic type' })
    .option('toxic-name', { alias: 'n', type: 'string', demandOption: requireName, describe: 'toxic name' })
    .option('stream', { alias: 's', type: 'string', choices: ['upstream', 'downstream'], describe: 'direction' })
    .option('upstream', { alias: 'u', type: 'boolean', describe: 'same as --stream upstream' })
    .option('downstream', { alias: 'd', type: 'boolean', describe: 'same as --stream downstream' })
    .option('toxicity', { type: 'number', describe: 'probability the toxic applies to a connection (0..1)' })
    .option('attr', { alias: ['a', 'attribute'], type: 'string', array: true, default: [], describe: 'attribute key=value' })
    .option('clients', { type: 'string', describe: CLIENTS_FLAG_HELP })
    .check((argv) => {
      if (argv['toxicity'] !== undefined && !(Number(argv['toxicity']) >= 0 && Number(argv['toxicity']) <= 1)) {
        throw new Error('--toxicity must be a number between 0 and 1');
      }
      return true;
    }) as unknown as Argv<ToxicArgs>;
}

function streamOf(argv: ToxicArgs): string | undefined {
  if (argv.upstream) return 'upstream';
  if (argv.downstream) return 'downstream';
  return argv.stream;
}

function show(argv: ToxicArgs, verb: string, toxic: ToxicJson): void {
  if (argv.json) printJson(toxic);
  else {
    process.stdout.write(`${verb} toxic on proxy ${argv.name}:\n`);
    printTable(['TOXIC', 'TYPE', 'STREAM', 'TOXICITY', 'ATTRIBUTES'], [describeToxic(toxic)]);
  }
}

const add: CommandModule<GlobalArgs, ToxicArgs> = {
  command: 'add <name>',
  aliases: ['a'],
  describe: 'Add a toxic to a proxy',
  builder: (y) => options(y, true, false),
  handler: async (argv) => {
    const body = {
      name: argv.toxicName,
      type: argv.type,
      stream: streamOf(argv),
      toxicity: argv.toxicity,
      attributes: parseAttributes(argv.attr),
      clients: argv.clients === undefined ? undefined : parseClientsFlag(argv.clients),
    };
    show(argv, 'added', await clientFor(argv).request<ToxicJson>('POST', apiPath('proxies', argv.name, 'toxics'), body));
  },
};

const update: CommandModule<GlobalArgs, ToxicArgs> = {
  command: 'update <name>',
  aliases: ['u'],
  describe: 'Update a toxic (attributes left out keep their values)',
  builder: (y) => options(y, false, true),
  handler: async (argv) => {
    const body = {
      toxicity: argv.toxicity,
      attributes: parseAttributes(argv.attr),
      clients: argv.clients === undefined ? undefined : parseClientsFlag(argv.clients),
    };
    const path = apiPath('proxies', argv.name, 'toxics', argv.toxicName as string);
    show(argv, 'updated', await clientFor(argv).request<ToxicJson>('PATCH', path, body));
  },
};

const remove: CommandModule<GlobalArgs, ToxicArgs> = {
  command: 'remove <name>',
  aliases: ['r', 'delete', 'd'],
  describe: 'Remove a toxic',
  builder: (y) => options(y, false, true),
  handler: async (argv) => {
    await clientFor(argv).request('DELETE', apiPath('proxies', argv.name, 'toxics', argv.toxicName as string));
    if (argv.json) printJson({ removed: argv.toxicName, proxy: argv.name });
    else process.stdout.write(`removed toxic ${argv.toxicName} from proxy ${argv.name}\n`);
  },
};

/** `faultline toxic …`. */
export const toxicCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'toxic',
  aliases: ['t'],
  describe: 'Add, update or remove toxics',
  builder: (y) => y.command(add).command(update).command(remove).demandCommand(1, 'name a toxic command: add, update or remove'),
  handler: () => undefined,
};
