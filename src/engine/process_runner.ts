// runCommand: spawns one child process exactly as a Command describes it — binary + argv, no
// shell anywhere (issue 4: "no shell anywhere in the built-in modes") — feeds `stdin` bytes,
// forwards its output line by line to the log (lsyncd sends child output to the logfile or
// /dev/null; we never lose it and never write to a closed terminal), and resolves with how it
// ended. It never rejects: a binary that cannot be started resolves with `spawnError`.
//
// Cancellation: aborting `signal` sends SIGTERM, then SIGKILL after `killAfterMs`.
import { spawn } from 'node:child_process';

import type { Command } from '../transports/command.js';

export interface RunOptions {
  readonly signal?: AbortSignal;
  /** Called per output line (without the newline). */
  readonly onLine?: (stream: 'stdout' | 'stderr', line: string) => void;
  /** Keep stdout in the result (e.g. the remote move script's failure report). */
  readonly captureStdout?: boolean;
  readonly killAfterMs?: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

export interface RunResult {
  /** Exit code; null when killed by a signal or not started. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  /** Last lines of stderr, for error messages. */
  readonly stderrTail: string;
  /** Set when the process could not be started (e.g. ENOENT for a missing binary). */
  readonly spawnError?: NodeJS.ErrnoException;
}

const TAIL_LINES = 20;

export function runCommand(cmd: Command, opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    let stdout = '';
    const tail: string[] = [];
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const child = spawn(cmd.binary, cmd.args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      shell: false,
    });
    const lineSplitter = (stream: 'stdout' | 'stderr') => {
      let partial = '';
      return (chunk: Buffer) => {
        const text = partial + chunk.toString('utf8');
        const lines = text.split('\n');
        partial = lines.pop() ?? '';
        for (const l of lines) emit(stream, l);
      };
      function emit(s: 'stdout' | 'stderr', l: string): void {
        if (s === 'stderr') {
          tail.push(l);
          if (tail.length > TAIL_LINES) tail.shift();
        }
        opts.onLine?.(s, l);
      }
    };
    child.stdout.on('data', (c: Buffer) => {
      if (opts.captureStdout) stdout += c.toString('utf8');
    });
    child.stdout.on('data', lineSplitter('stdout'));
    child.stderr.on('data', lineSplitter('stderr'));
    const finish = (r: RunResult) => {
      if (settled) return;
      settled = true;
      if (killTimer) clearTimeout(killTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve(r);
    };
    const onAbort = () => {
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs ?? 5000);
      killTimer.unref();
    };
    if (opts.signal) {
      if (opts.signal.aborted) onAbort();
      else opts.signal.addEventListener('abort', onAbort, { once: true });
    }
    child.on('error', (e: NodeJS.ErrnoException) => {
      finish({ code: null, signal: null, stdout, stderrTail: tail.join('\n'), spawnError: e });
    });
    child.on('close', (code, signal) => {
      finish({ code, signal, stdout, stderrTail: tail.join('\n') });
    });
    // A child that exits without reading all of stdin must not crash us with EPIPE.
    child.stdin.on('error', () => {});
    if (cmd.stdin && cmd.stdin.length > 0) child.stdin.end(cmd.stdin);
    else child.stdin.end();
  });
}

/** `/usr/bin/rsync [<] [stdin…] [arg] [arg] …` — lsyncd's Exec log line (§8). */
export function describeCommand(cmd: Command): string {
  const parts = [cmd.binary];
  if (cmd.stdin && cmd.stdin.length > 0) {
    const shown = cmd.stdin.length > 400 ? `${cmd.stdin.subarray(0, 400).toString('utf8')}…` : cmd.stdin.toString('utf8');
    parts.push('[<]', `[${shown.replace(/\0/g, '\\n')}]`);
  }
  for (const a of cmd.args) parts.push(`[${a}]`);
  return parts.join(' ');
}
