/**
 * toxiproxy-server takes Go-style single-dash flags (`-host 0.0.0.0`, `-port=8474`). So that a
 * script starting `toxiproxy-server` works by changing only the command name, `faultline server`
 * rewrites those to yargs' `--host` form before parsing.
 */
const SERVER_FLAGS = ['host', 'port', 'config', 'seed', 'proxy-metrics', 'runtime-metrics'];

/** Rewrites `-flag` / `-flag=value` of toxiproxy-server into `--flag` / `--flag=value`. */
export function normalizeToxiproxyFlags(args: readonly string[]): string[] {
  return args.map((arg) => {
    const match = /^-([a-z-]+)(=.*)?$/.exec(arg);
    return match && SERVER_FLAGS.includes(match[1] as string) ? `-${arg}` : arg;
  });
}
