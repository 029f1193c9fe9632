// runAction: runCommand (src/process/process_runner.ts) for user actions, with two differences that
// user scripts need and the built-in modes' rsync/ssh do not:
//   - the action is done when the child EXITS (lsyncd collects on SIGCHLD), not when its output
//     pipes close: `notify-send … &` or a daemon started by an action keeps the pipes open and
//     would otherwise hold the sync forever. Output still reaching the pipes afterwards is logged.
//   - the child leads its own process group and abort signals the whole group (SIGTERM, then
//     SIGKILL after killAfterMs): `sh -c 'sleep 30'` leaves no orphan holding the shutdown.
// Same RunResult shape as runCommand; never rejects.
import { spawn } from 'node:child_process';

import { ChildOutput } from '../../process/child_output.js';
import { killOnAbort } from '../../process/kill_on_abort.js';
import type { RunOptions, RunResult } from '../../process/process_runner.js';
import type { Command } from '../../process/command.js';

/** After exit, how long to wait for the pipes to drain before resolving anyway. */
const DRAIN_MS = 100;

export function runAction(cmd: Command, opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    let settled = false;
    let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const child = spawn(cmd.binary, cmd.args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      shell: false,
      detached: true,
    });
    const killGroup = (sig: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, sig);
      } catch {
        child.kill(sig);
      }
    };
    const output = new ChildOutput(opts);
    output.attach(child.stdout, child.stderr);
    const stopKilling = killOnAbort(opts.signal, killGroup, opts.killAfterMs);
    const finish = (r: RunResult) => {
      if (settled) return;
      settled = true;
      stopKilling();
      resolve(r);
    };
    const done = () => {
      if (exited) finish({ ...exited, stdout: output.stdout, stderrTail: output.stderrTail });
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      finish({ code: null, signal: null, stdout: output.stdout, stderrTail: output.stderrTail, spawnError: e });
    });
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      setTimeout(done, DRAIN_MS).unref();
    });
    child.on('close', done);
    child.stdin.on('error', () => {});
    if (cmd.stdin && cmd.stdin.length > 0) child.stdin.end(cmd.stdin);
    else child.stdin.end();
  });
}
