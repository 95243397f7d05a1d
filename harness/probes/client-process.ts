/**
 * An external client as a process: started through the shell in its own process group, read line
 * by line (stdout: the protocol, stderr: its log), and stopped without ever hanging the harness:
 * stdin EOF, then SIGTERM to the group, then SIGKILL, each after a grace period. Whatever the
 * group still holds when the leader is gone is killed too, and so is every live group if the
 * harness itself exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** How long the client may take to exit after stdin closes, and after SIGTERM. */
const STOP_GRACE_MS = 2000;

/** How long an exit waits for the output still in the pipes before it is reported. */
const OUTPUT_SETTLE_MS = 200;
/** The longest stdout line kept; a longer one is handed on cut (and is not the protocol). */
const MAX_LINE = 1 << 20;
/** How much of stderr the report keeps (the end of it). */
const STDERR_LINES = 20;
const STDERR_CHARS = 2000;

/** What the process says and does. */
export interface ClientProcessHandlers {
  /** One stdout line (without its newline; blank lines are skipped). */
  line(line: string): void;
  /** One stderr line. */
  stderr(line: string): void;
  /** The process ended before stop() was called. */
  exited(code: number | null, signal: string | null): void;
}

/** How a client process ended. */
export interface ClientExit {
  exit_code: number | null;
  signal: string | null;
  stopped_by: 'eof' | 'sigterm' | 'sigkill' | 'itself';
}

const liveGroups = new Set<number>();
let exitHookInstalled = false;

/** Kills the group led by `pid` with `signal`; false when there is no such group any more. */
function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** A command with no control operators, keywords or leading assignments: the shell can `exec` it. */
const SIMPLE_COMMAND = /^(?!\s*(?:[A-Za-z_]\w*=|if\b|for\b|while\b|until\b|case\b|\{|!))[^;&|()\n]+$/;

/**
 * A simple command is run as `exec command`, so the client itself (not a shell around it) is the
 * harness's child and its group's leader: signals reach it directly and, once it ends, this
 * process reaps it (a client orphaned by a killed shell lingers as a zombie under an init that
 * does not reap). Compound commands run as they are.
 */
function execForm(command: string): string {
  return SIMPLE_COMMAND.test(command) ? `exec ${command}` : command;
}

/** Splits a stream's text into lines, keeping the unfinished end for the next chunk. */
function lineSplitter(onLine: (line: string) => void): { push(text: string): void; end(): void } {
  let rest = '';
  return {
    push(text) {
      rest += text;
      let at: number;
      while ((at = rest.indexOf('\n')) >= 0) {
        const line = rest.slice(0, at).replace(/\r$/, '');
        rest = rest.slice(at + 1);
        if (line.trim() !== '') onLine(line);
      }
      if (rest.length > MAX_LINE) {
        onLine(rest.slice(0, MAX_LINE));
        rest = '';
      }
    },
    end() {
      if (rest.trim() !== '') onLine(rest);
      rest = '';
    },
  };
}

/** A running client command. */
export class ClientProcess {
  readonly command: string;
  #child: ChildProcess;
  #exit: Promise<void>;
  #closed: Promise<void>;
  #ended: { code: number | null; signal: string | null } | undefined;
  #stopping = false;
  #stop: Promise<ClientExit> | undefined;
  #stderr: string[] = [];
  #stderrCut = false;

  constructor(command: string, env: Readonly<Record<string, string>>, handlers: ClientProcessHandlers) {
    this.command = command;
    this.#child = spawn(execForm(command), { shell: true, detached: true, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    const pid = this.#child.pid;
    if (pid !== undefined) {
      liveGroups.add(pid);
      if (!exitHookInstalled) {
        exitHookInstalled = true;
        process.once('exit', () => {
          for (const group of liveGroups) killGroup(group, 'SIGKILL');
        });
      }
    }
    this.#child.stdin?.on('error', () => undefined); // EPIPE once the client is gone: its exit says more
    const out = lineSplitter((line) => handlers.line(line));
    const err = lineSplitter((line) => {
      this.#keepStderr(line);
      handlers.stderr(line);
    });
    this.#child.stdout?.setEncoding('utf8').on('data', (text: string) => out.push(text));
    this.#child.stderr?.setEncoding('utf8').on('data', (text: string) => err.push(text));
    this.#closed = new Promise((resolve) =>
      this.#child.once('close', () => {
        out.end();
        err.end();
        resolve();
      }),
    );
    this.#exit = new Promise((resolve) => {
      const ended = (code: number | null, signal: string | null): void => {
        if (this.#ended) return;
        this.#ended = { code, signal };
        resolve();
        // Told once its output is read (what it printed last explains the exit best), or soon after.
        if (!this.#stopping) void this.#settled(OUTPUT_SETTLE_MS).then(() => handlers.exited(code, signal));
      };
      this.#child.once('exit', ended);
      this.#child.once('error', () => ended(null, null));
    });
  }

  /** Whether it is still running. */
  get running(): boolean {
    return this.#ended === undefined;
  }

  /** Writes `text` to its stdin (dropped once it is gone). */
  write(text: string): void {
    if (this.running && this.#child.stdin?.writable) this.#child.stdin.write(text);
  }

  /** The end of its stderr, at most 20 lines and 2000 characters (`…` marks a cut). */
  stderrTail(): string {
    const text = this.#stderr.join('\n');
    const cut = this.#stderrCut || text.length > STDERR_CHARS;
    return `${cut ? '…\n' : ''}${text.slice(-STDERR_CHARS)}`;
  }

  /** The last line of its stderr, if any. */
  lastStderrLine(): string | undefined {
    return this.#stderr.at(-1);
  }

  /** Stops it (once): stdin EOF, SIGTERM after the grace period, SIGKILL after another; resolves with how it ended. */
  stop(): Promise<ClientExit> {
    this.#stop ??= this.#stopNow();
    return this.#stop;
  }

  async #stopNow(): Promise<ClientExit> {
    const itself = !this.running;
    this.#stopping = true;
    let stoppedBy: ClientExit['stopped_by'] = itself ? 'itself' : 'eof';
    if (!itself) {
      this.#child.stdin?.end();
      if (!(await this.#exitedWithin(STOP_GRACE_MS))) {
        stoppedBy = 'sigterm';
        killGroup(this.#child.pid as number, 'SIGTERM');
        if (!(await this.#exitedWithin(STOP_GRACE_MS))) {
          stoppedBy = 'sigkill';
          killGroup(this.#child.pid as number, 'SIGKILL');
          await this.#exit;
        }
      }
    }
    // The leader is gone; anything else in its group (a child it started) goes with it.
    const pid = this.#child.pid;
    if (pid !== undefined) {
      killGroup(pid, 'SIGKILL');
      liveGroups.delete(pid);
    }
    await this.#settled(STOP_GRACE_MS);
    this.#child.stdout?.destroy();
    this.#child.stderr?.destroy();
    const { code, signal } = this.#ended ?? { code: null, signal: null };
    return { exit_code: code, signal, stopped_by: stoppedBy };
  }

  /** Resolves once its stdout and stderr are closed, or after `ms` (a process it started may hold them). */
  #settled(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const cap = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
    return Promise.race([this.#closed, cap]).finally(() => clearTimeout(timer));
  }

  #exitedWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    return Promise.race([this.#exit.then(() => true), timeout]).finally(() => clearTimeout(timer));
  }

  #keepStderr(line: string): void {
    this.#stderr.push(line.length > 500 ? `${line.slice(0, 500)}…` : line);
    if (this.#stderr.length > STDERR_LINES) {
      this.#stderr.shift();
      this.#stderrCut = true;
    }
  }
}
