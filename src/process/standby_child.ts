// StandbyChild: the next rsync of a sync, started before it is needed and blocked reading its
// stdin, so a change at a short delay does not wait for exec, the dynamic loader and rsync's
// option parsing (about a millisecond per change; bench/RESULTS.md has the measurements).
//
// Why this is safe: a batch rsync gets everything that varies per batch — the include list — on
// stdin (`--include-from=-`, docs/lsyncd-compat.md#rsync-command-lines), and rsync reads filter files while it
// parses its options, before it looks at the source or contacts the target. Until stdin arrives
// the standby has done nothing; killing it (dispose) has no effect on either tree. Its argv is
// fixed when it starts: take() hands it out only for a command with the same binary and
// arguments (the caller's env and cwd are those it was started with), otherwise the command is
// started fresh and the caller disposes of the standby.
//
// Contract: one owner (a transport). take() at most once; dispose() always (idempotent; kills a
// standby that was not taken). A standby that ended on its own (killed from outside, binary
// gone) is never handed out. Threading: JS thread.
import type { Command } from './command.js';
import { type ChildLike, type SpawnOptions, startChild } from './start_child.js';

export class StandbyChild {
  private child: ChildLike | undefined;
  private ended = false;
  private readonly onEnd = (): void => {
    this.ended = true;
  };

  private constructor(
    private readonly binary: string,
    private readonly args: readonly string[],
    opts: SpawnOptions,
  ) {
    const child = startChild({ binary, args: [...args], stdin: undefined }, opts, true);
    child.on('error', this.onEnd);
    child.on('exit', this.onEnd);
    this.child = child;
  }

  /** Starts `binary args` with its stdin open and empty. `opts`: env and cwd as runCommand's. */
  static start(binary: string, args: readonly string[], opts: SpawnOptions = {}): StandbyChild {
    return new StandbyChild(binary, args, opts);
  }

  /**
   * Still running, not taken, its stdin open and untouched. A standby that saw EOF would run
   * with an empty include list — transfer nothing and exit 0, a silent loss — so only a waiting
   * one is ever handed out.
   */
  get waiting(): boolean {
    const stdin = this.child?.stdin;
    return (
      !this.ended && !!stdin && stdin.writable && !stdin.writableEnded && !stdin.destroyed && stdin.writableLength === 0
    );
  }

  /** The child for `cmd` if it is the same command and still waiting; else undefined. */
  take(cmd: Command): ChildLike | undefined {
    const child = this.child;
    if (!child || !this.waiting || cmd.binary !== this.binary || !sameArgs(cmd.args, this.args)) return undefined;
    this.child = undefined;
    child.off('error', this.onEnd);
    child.off('exit', this.onEnd);
    return child;
  }

  /** Kills the standby if it was not taken, and releases its pipes. */
  dispose(): void {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    if (!this.ended) child.kill('SIGTERM');
    child.stdin?.on('error', () => {});
    child.stdin?.destroy();
    // Read and drop whatever it printed, so its pipes reach EOF and close.
    child.stdout?.resume();
    child.stderr?.resume();
  }
}

function sameArgs(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
