/**
 * The mcp probe when no protocol generation is pinned: the newest both sides speak. It first
 * discovers the server with SDK 2.x pinned to 2026-07-28 (mcp-modern.ts); a server that does not
 * offer it (SDK 2.x's `ERA_NEGOTIATION_FAILED`) gets SDK 1.x on 2025-11-25 (mcp.ts). The choice is
 * made once, at the first connection that reaches the server; until then every attempt tries again.
 * The capabilities of the chosen generation (notification checks only on 2025-11-25) appear once
 * chosen.
 */
import { SdkError, SdkErrorCode } from '@modelcontextprotocol/client';
import type { CallCue, CallOperation, CallResult, McpFacts, McpWireEvent } from './call.js';
import { McpProbe } from './mcp.js';
import { McpModernProbe } from './mcp-modern.js';
import type { McpProbeOptions } from './mcp-options.js';
import { errorKind, remaining, withDeadline, type Attempt, type Operation, type Probe, type TransportListener } from './probe.js';

/** An MCP probe that speaks the newest generation the server offers. */
export class McpAutoProbe implements Probe {
  readonly kind = 'mcp';
  readonly label: string;
  /** 2025-11-25 only: set once that generation is chosen. */
  checkNotifications?: (trigger: () => Promise<unknown>, timeoutMs: number) => Promise<boolean>;
  #options: McpProbeOptions;
  #chosen: McpProbe | McpModernProbe | undefined;
  #tried: Array<McpProbe | McpModernProbe> = [];
  #transport: TransportListener | undefined;
  #mcp: ((event: McpWireEvent) => void) | undefined;

  constructor(options: McpProbeOptions) {
    this.#options = options;
    this.label = options.label ?? `mcp → ${new URL(options.url).host}`;
  }

  /** What the 2025-11-25 probe did that the SDK would not (none on 2026-07-28). */
  get recoveries(): { readonly reopened: number; readonly replaced: number } {
    return this.#chosen instanceof McpProbe ? this.#chosen.recoveries : { reopened: 0, replaced: 0 };
  }

  watchTransport(listener: TransportListener): void {
    this.#transport = listener;
    for (const probe of this.#tried) probe.watchTransport(listener);
  }

  watchMcp(listener: (event: McpWireEvent) => void): void {
    this.#mcp = listener;
    for (const probe of this.#tried) probe.watchMcp(listener);
  }

  openSockets(): number {
    return this.#tried.reduce((n, p) => n + p.openSockets(), 0);
  }

  mcpFacts(): McpFacts {
    return this.#chosen?.mcpFacts() ?? { protocol: null, sdk: 'undecided', sessions: [], reopened: 0 };
  }

  async open(): Promise<void> {
    await this.#decide(performance.now() + 10_000);
  }

  async send(op: Operation): Promise<Attempt> {
    const start = performance.now();
    const deadline = start + op.timeoutMs;
    try {
      const chosen = await this.#decide(deadline);
      return chosen.send({ ...op, timeoutMs: remaining(deadline) });
    } catch (err) {
      return { ok: false, error: errorKind(err), start, end: performance.now() };
    }
  }

  async call(op: CallOperation, cue: (cue: CallCue) => void): Promise<CallResult> {
    const start = performance.now();
    try {
      const chosen = await this.#decide(start + op.timeoutMs);
      return chosen.call({ ...op, timeoutMs: remaining(start + op.timeoutMs) }, cue);
    } catch (err) {
      return { ok: false, error: errorKind(err), start, end: performance.now(), requests: [] };
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.#tried.map((p) => p.close()));
  }

  async #decide(deadline: number): Promise<McpProbe | McpModernProbe> {
    if (this.#chosen) return this.#chosen;
    const modern = this.#track(new McpModernProbe(this.#options));
    try {
      await withDeadline(modern.open(), deadline);
      return (this.#chosen = modern);
    } catch (err) {
      await modern.close();
      if (!(err instanceof SdkError && err.code === SdkErrorCode.EraNegotiationFailed)) throw err;
    }
    const legacy = this.#track(new McpProbe(this.#options));
    await withDeadline(legacy.open(), deadline);
    this.checkNotifications = (trigger, timeoutMs) => legacy.checkNotifications(trigger, timeoutMs);
    return (this.#chosen = legacy);
  }

  #track<T extends McpProbe | McpModernProbe>(probe: T): T {
    this.#tried.push(probe);
    if (this.#transport) probe.watchTransport(this.#transport);
    if (this.#mcp) probe.watchMcp(this.#mcp);
    return probe;
  }
}
