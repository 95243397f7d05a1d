/**
 * The ledger an upstream keeps (id → times applied, plus the last payload for reads) and how it
 * is served over HTTP (`GET /ledger`, `GET /health`), so a harness on another host can read it.
 */
import { get, type IncomingMessage, type ServerResponse } from 'node:http';
import { get as httpsGet } from 'node:https';
import { LEDGER_SHAPES, parseLedgerDocument } from './ledger-document.js';
import type { Ledger } from './upstream.js';

/** What an upstream applied: how many times per id, and the last payload written under each id. */
export interface LedgerStore {
  /** Applies a write of `payload` under `id`; returns how many times `id` has now been applied. */
  apply(id: string, payload: string): number;
  /** The last payload written under `id`, if any. */
  read(id: string): string | undefined;
  /** A copy of the counts. */
  snapshot(): Ledger;
}

/** The JSON shape of `GET /ledger`. */
export interface LedgerDocument {
  kind: string;
  applied: Record<string, number>;
}

/** An empty in-memory ledger. */
export function createLedgerStore(): LedgerStore {
  const counts = new Map<string, number>();
  const payloads = new Map<string, string>();
  return {
    apply(id, payload) {
      const count = (counts.get(id) ?? 0) + 1;
      counts.set(id, count);
      payloads.set(id, payload);
      return count;
    },
    read: (id) => payloads.get(id),
    snapshot: () => new Map(counts),
  };
}

/** Writes `body` as a JSON response. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Answers `GET /ledger` and `GET /health` from `store`; returns false for any other request. */
export function serveLedger(req: IncomingMessage, res: ServerResponse, kind: string, store: LedgerStore): boolean {
  if (req.method !== 'GET') return false;
  const path = new URL(req.url ?? '/', 'http://upstream').pathname;
  if (path === '/health') {
    sendJson(res, 200, { ok: true, kind });
    return true;
  }
  if (path !== '/ledger') return false;
  const document: LedgerDocument = { kind, applied: Object.fromEntries(store.snapshot()) };
  sendJson(res, 200, document);
  return true;
}

/** Reads a ledger from any GET URL serving one of the shapes of ledger-document.ts, over a fresh connection (no pooled socket stays open). */
export async function fetchLedger(url: string, timeoutMs = 5000): Promise<Ledger> {
  const document = await fetchLedgerDocument(url, timeoutMs);
  try {
    return parseLedgerDocument(document);
  } catch (err) {
    throw new Error(`GET ${url}: not a ledger: ${(err as Error).message}`, { cause: err });
  }
}

/** The JSON document at a ledger URL, as served (faultline's MCP server adds its call ledger to it). */
export function fetchLedgerDocument(url: string, timeoutMs = 5000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = (url.startsWith('https:') ? httpsGet : get)(url, { agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`GET ${url}: HTTP ${res.statusCode}`));
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (err) {
          reject(new Error(`GET ${url}: not JSON (a ledger is ${LEDGER_SHAPES})`, { cause: err }));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}
