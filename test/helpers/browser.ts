/**
 * Renders a local HTML file in a real headless Chromium (Debian's package, /usr/bin/chromium):
 * the DOM after rendering (`--dump-dom`), a screenshot, and every console message the page
 * logged. Plus a small PNG decoder, so tests can check the screenshot is a real picture.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';

/** Where the test expects Chromium. */
export const CHROMIUM = '/usr/bin/chromium';

/** Why Chromium cannot run, or null when it is installed. */
export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM)
    ? null
    : `Chromium is not installed at ${CHROMIUM}; the HTML report is tested in a real browser. ` +
        'Install it with: apt-get install -y --no-install-recommends chromium';
}

// The networking flags are needed on this machine (without them Chromium's connections are refused);
// the resolver rule makes any fetch from the network fail loudly instead of waiting.
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND',
  '--enable-logging=stderr',
  '--v=0',
];

async function chromium(args: readonly string[], timeoutMs: number): Promise<{ stdout: string; stderr: string }> {
  const profile = await mkdtemp(join(tmpdir(), 'faultline-chromium-'));
  try {
    return await new Promise((resolve, reject) => {
      const child = spawn(CHROMIUM, [...FLAGS, `--user-data-dir=${profile}`, ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      // Chromium's helper processes share its process group: end the group we started, by its id.
      const timer = setTimeout(() => process.kill(-(child.pid as number), 'SIGKILL'), timeoutMs);
      child.once('error', reject);
      child.once('close', (code) => {
        clearTimeout(timer);
        if (code === 0) resolve({ stdout, stderr });
        else reject(new Error(`chromium ${args.join(' ')} exited ${code}:\n${stderr.slice(-2000)}`));
      });
    });
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

/** What a page looked like in Chromium. */
export interface RenderedPage {
  /** The serialized DOM after load. */
  dom: string;
  /** The screenshot (PNG). */
  png: Buffer;
  /** Chromium's log lines of console messages (uncaught errors, failed loads, console.*): none for a good page. */
  console: string[];
}

/** Loads `htmlFile` in headless Chromium at `width`×`height`: DOM dump and screenshot, run side by side. */
export async function renderPage(htmlFile: string, width = 1400, height = 2000, timeoutMs = 25_000): Promise<RenderedPage> {
  const url = pathToFileURL(htmlFile).href;
  const shot = join(await mkdtemp(join(tmpdir(), 'faultline-shot-')), 'page.png');
  const size = `--window-size=${width},${height}`;
  const [dump, capture] = await Promise.all([
    chromium([size, '--dump-dom', url], timeoutMs),
    chromium([size, `--screenshot=${shot}`, url], timeoutMs),
  ]);
  const png = await readFile(shot);
  await rm(join(shot, '..'), { recursive: true, force: true });
  // A report page runs no script, so any console message at all (an uncaught error, a failed load) is a fault.
  const messages = `${dump.stderr}\n${capture.stderr}`.split('\n').filter((line) => /:CONSOLE[:(]/.test(line));
  return { dom: dump.stdout, png, console: messages };
}

function predict(filter: number, a: number, b: number, c: number): number {
  switch (filter) {
    case 0:
      return 0;
    case 1:
      return a;
    case 2:
      return b;
    case 3:
      return (a + b) >> 1;
    case 4: {
      const p = a + b - c;
      const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
      return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
    default:
      throw new Error(`bad PNG filter type ${filter}`);
  }
}

/** A decoded 8-bit RGB or RGBA PNG, as RGB triples. */
export interface Pixels {
  width: number;
  height: number;
  rgb: Uint8Array;
}

/** Decodes a non-interlaced 8-bit RGB(A) PNG (what Chromium's screenshots are). */
export function decodePng(png: Buffer): Pixels {
  if (png.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a') throw new Error('not a PNG');
  let offset = 8;
  let width = 0;
  let height = 0;
  let bpp = 0;
  const data: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const body = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const [depth, colour, , , interlace] = body.subarray(8, 13);
      bpp = colour === 6 ? 4 : colour === 2 ? 3 : 0;
      if (depth !== 8 || bpp === 0 || interlace !== 0) {
        throw new Error(`unsupported PNG: depth ${depth}, colour type ${colour}, interlace ${interlace}`);
      }
    } else if (type === 'IDAT') data.push(body);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * bpp;
  const rgb = new Uint8Array(width * height * 3);
  let prev = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const cur = new Uint8Array(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? (cur[i - bpp] as number) : 0;
      const b = prev[i] as number;
      const c = i >= bpp ? (prev[i - bpp] as number) : 0;
      cur[i] = ((line[i] as number) + predict(filter as number, a, b, c)) & 0xff;
    }
    for (let x = 0; x < width; x++) rgb.set(cur.subarray(x * bpp, x * bpp + 3), (y * width + x) * 3);
    prev = cur;
  }
  return { width, height, rgb };
}
