#!/usr/bin/env node
/** The `faultline` command: composes the command modules, nothing else. */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { demoCommand } from '../harness/commands/demo.js';
import { reportCommand } from '../harness/commands/report.js';
import { runCommand } from '../harness/commands/run.js';
import { upstreamCommand } from '../harness/commands/upstream.js';
import { CliError, exitCodeOf, messageOf } from '../cli/errors.js';
import { globalOptions } from '../cli/global.js';
import { normalizeToxiproxyFlags } from '../cli/toxiproxy-flags.js';
import { connectionsCommand, cutCommand, healCommand, partitionCommand } from '../proxy/commands/connections.js';
import { createCommand, deleteCommand, inspectCommand, listCommand, toggleCommand } from '../proxy/commands/proxies.js';
import { serverCommand } from '../proxy/commands/server.js';
import { stdioCommand } from '../proxy/commands/stdio.js';
import { toxicCommand } from '../proxy/commands/toxics.js';
import { FAULTLINE_VERSION } from '../proxy/version.js';

try {
  await globalOptions(yargs(normalizeToxiproxyFlags(hideBin(process.argv))).scriptName('faultline').version(FAULTLINE_VERSION))
    .command(serverCommand as never)
    .command(listCommand as never)
    .command(inspectCommand as never)
    .command(createCommand as never)
    .command(toggleCommand as never)
    .command(deleteCommand as never)
    .command(toxicCommand as never)
    .command(connectionsCommand as never)
    .command(cutCommand as never)
    .command(partitionCommand as never)
    .command(healCommand as never)
    .command(runCommand as never)
    .command(demoCommand as never)
    .command(reportCommand as never)
    .command(upstreamCommand as never)
    .command(stdioCommand as never)
    .demandCommand(1, 'name a command (faultline --help lists them)')
    .strict()
    .fail((message, err) => {
      // yargs passes a message for usage errors (unknown flag, failed check): exit 2 for those.
      if (message) throw new CliError(`${message} (faultline --help shows the usage)`, 'ERR_USAGE');
      throw err;
    })
    .parseAsync();
} catch (err) {
  process.stderr.write(`faultline: ${messageOf(err)}\n`);
  process.exitCode = exitCodeOf(err);
}
