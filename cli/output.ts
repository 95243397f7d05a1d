/** How the CLI prints: aligned text for people, JSON (`--json`) for scripts. */
import type { ProxyJson, ToxicJson } from '../protocol/wire.js';

/** A proxy with the fields faultline documents (the API's empty `Logger` object, kept there for Toxiproxy parity, left out). */
export function proxyOut({ name, listen, upstream, enabled, toxics }: ProxyJson): ProxyJson {
  return { name, listen, upstream, enabled, toxics };
}

/** Prints `value` as indented JSON. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Prints rows as columns aligned under a header. */
export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  process.stdout.write([line(header), ...rows.map(line)].join('\n') + '\n');
}

/** One line describing a toxic: `name  type  stream  toxicity  k=v … [clients={…}]`. */
export function describeToxic(toxic: ToxicJson): string[] {
  const attributes = Object.entries(toxic.attributes)
    .map(([k, v]) => `${k}=${String(v)}`)
    .concat(toxic.clients ? [`clients=${JSON.stringify(toxic.clients)}`] : [])
    .join(' ');
  return [toxic.name, toxic.type, toxic.stream, String(toxic.toxicity), attributes];
}

/** Prints proxies as a table (for people). */
export function printProxies(proxies: ProxyJson[]): void {
  if (proxies.length === 0) {
    process.stdout.write('no proxies\n');
    return;
  }
  printTable(
    ['NAME', 'LISTEN', 'UPSTREAM', 'ENABLED', 'TOXICS'],
    proxies.map((p) => [p.name, p.listen, p.upstream, p.enabled ? 'yes' : 'no', String(p.toxics.length)]),
  );
}

/** Prints one proxy and its toxics (for people). */
export function printProxy(proxy: ProxyJson): void {
  printProxies([proxy]);
  if (proxy.toxics.length === 0) return;
  process.stdout.write('\n');
  printTable(['TOXIC', 'TYPE', 'STREAM', 'TOXICITY', 'ATTRIBUTES'], proxy.toxics.map(describeToxic));
}
