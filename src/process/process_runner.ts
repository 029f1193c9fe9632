// runCommand: spawns one child process exactly as a Command describes it — binary + argv, no
// shell anywhere (none in the built-in modes) — feeds `stdin` bytes,
// forwards its output line by line to the log (lsyncd sends child output to the logfile or
// /dev/null; we never lose it and never write to a closed terminal), and resolves with how it
// ended. It never rejects: a binary that cannot be started resolves with `spawnError`.
//
// Cancellation: aborting `signal` sends SIGTERM, then SIGKILL after `killAfterMs`.
// The child itself is started by start_child.ts (or taken from a StandbyChild that matches).
import type { Readable } from 'node:stream';

import type { Command } from './command.js';
import { ChildOutput } from './child_output.js';
import { killOnAbort } from './kill_on_abort.js';
import type { StandbyChild } from './standby_child.js';
import { type ChildLike, type SpawnOptions, startChild } from './start_child.js';
import { displayPath } from '../paths/byte_path.js';

export interface RunOptions extends SpawnOptions {
  readonly signal?: AbortSignal;
  /** Called per output line (without the newline). */
  readonly onLine?: (stream: 'stdout' | 'stderr', line: string) => void;
  /** Keep stdout in the result (e.g. the remote move script's failure report). */
  readonly captureStdout?: boolean;
  readonly killAfterMs?: number;
  /** A child started ahead of time for this command (standby_child.ts); used if it matches. */
  readonly standby?: StandbyChild;
  /**
   * Streams the child's stdin from this source instead of `cmd.stdin` (a batch file too large to
   * hold in memory); an error reading it closes the child's stdin.
   */
  readonly stdinStream?: () => Readable;
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

export function runCommand(cmd: Command, opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    let settled = false;
    const streamed = opts.stdinStream !== undefined;
    const child: ChildLike = (streamed ? undefined : opts.standby?.take(cmd)) ?? startChild(cmd, opts, streamed);
    const output = new ChildOutput(opts);
    output.attach(child.stdout, child.stderr);
    const stopKilling = killOnAbort(opts.signal, (sig) => child.kill(sig), opts.killAfterMs);
    const finish = (r: RunResult) => {
      if (settled) return;
      settled = true;
      stopKilling();
      resolve(r);
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      finish({ code: null, signal: null, stdout: output.stdout, stderrTail: output.stderrTail, spawnError: e });
    });
    child.on('close', (code, signal) => {
      finish({ code, signal, stdout: output.stdout, stderrTail: output.stderrTail });
    });
    // A child that exits without reading all of stdin must not crash us with EPIPE.
    child.stdin?.on('error', () => {});
    if (opts.stdinStream !== undefined && child.stdin) {
      const source = opts.stdinStream();
      const sink = child.stdin;
      source.on('error', () => sink.end());
      source.pipe(sink);
      return;
    }
    const rest = cmd.stdin?.subarray(child.stdinPrefilled ?? 0);
    if (rest && rest.length > 0) child.stdin?.end(rest);
    else child.stdin?.end();
  });
}

/** `/usr/bin/rsync [<] [stdin…] [arg] [arg] …` — lsyncd's Exec log line (docs/lsyncd-compat.md#logging). */
export function describeCommand(cmd: Command): string {
  const parts = [cmd.binary];
  if (cmd.stdin && cmd.stdin.length > 0) {
    const shown = cmd.stdin.length > 400 ? `${cmd.stdin.subarray(0, 400).toString('utf8')}…` : cmd.stdin.toString('utf8');
    parts.push('[<]', `[${shown.replace(/\0/g, '\\n')}]`);
  }
  for (const a of cmd.args) parts.push(`[${displayPath(a)}]`);
  return parts.join(' ');
}
