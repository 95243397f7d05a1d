/**
 * Live progress while scenarios run. On a TTY one line is redrawn in place (scenario, probe,
 * step, requests ok / failed so far); otherwise (CI logs, pipes) or with `quiet`, plain lines: one
 * per finished scenario, none with `quiet`.
 */
import type { ScenarioResult } from '../result.js';
import type { Progress } from '../runner.js';

/** The hooks runScenarios takes. */
export interface ProgressHooks {
  onProgress?: (progress: Progress) => void;
  onResult?: (result: ScenarioResult) => void;
}

/** The hooks, and `done()` to clear the live line. */
export interface ProgressReporter {
  hooks: ProgressHooks;
  done(): void;
}

/** A reporter writing to `out` (a TTY gets the live line). */
export function progressReporter(out: NodeJS.WriteStream, quiet: boolean): ProgressReporter {
  if (quiet) return { hooks: {}, done: () => undefined };
  const line = (r: ScenarioResult): string =>
    `${r.passed ? '✓ PASS' : '✗ FAIL'} ${r.test_name} [${r.probe}] ${r.duration_ms.toFixed(0)}ms` +
    ` (${r.metrics.successful_requests}/${r.metrics.total_requests} ok)`;
  if (!out.isTTY) return { hooks: { onResult: (r) => out.write(`${line(r)}\n`) }, done: () => undefined };
  let last = 0;
  const clear = (): void => void out.write('\r\u001b[2K');
  return {
    hooks: {
      onProgress: (p) => {
        const now = performance.now();
        if (now - last < 50) return;
        last = now;
        clear();
        out.write(`▶ ${p.scenario} [${p.probe}] ${p.step} — ${p.ok} ok, ${p.failed} failed`.slice(0, (out.columns || 80) - 1));
      },
      onResult: (r) => {
        clear();
        out.write(`${line(r)}\n`);
      },
    },
    done: clear,
  };
}
