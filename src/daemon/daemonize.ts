// Daemon mode (settings.nodaemon false): the launching process exits 0 only once the daemon
// reports that start-up succeeded (what that includes — watches set, init transfers finished or
// a short bound passed — is decided in src/cli/start_daemon.ts), and non-zero with the daemon's own error otherwise. lsyncd
// forks and its parent exits 0 before any watch or transfer, so a missing source or a bad
// inotifyMode never reaches the caller's exit status (docs/lsyncd-compat.md#startup-order, docs/lsyncd-compat.md#signals-and-exit-codes).
//
// Contract:
//   launchDaemon(opts) — in the launcher: spawns process.execPath with the same execArgv and argv
//     (so the daemon loads and validates the same config itself; arguments that are not valid
//     UTF-8 travel in src/system/raw_argv.ts's ARGV_ENV) and READY_FD_ENV set, detached
//     (setsid: own session, no controlling terminal), stdin/stdout/stderr on /dev/null (the daemon
//     logs through its own log), plus a pipe on fd 3. It resolves with the exit code for the
//     launcher: 0 after "READY <pid>", the daemon's code (255 for a start-up failure) after
//     "ERROR <code> <text>" — the text is returned for the launcher to print — or the daemon's exit
//     status if it dies without a word. TERM/INT to the launcher while waiting is passed on to the
//     daemon (a user aborting the launch does not leave a half-started daemon behind).
//   readinessChannel() — in the daemon: undefined when not launched by launchDaemon; otherwise
//     ready() / failed(code, text) write one line to fd 3 and close it (idempotent; a launcher
//     that is gone is ignored). The variable is removed from process.env so transfers' child
//     processes do not inherit it.
// No chdir("/"): lsyncd's breaks relative sources/targets of command-line syncs and relative
// paths in the config on HUP; the daemon keeps the launcher's working directory.
import { spawn } from 'node:child_process';
import { closeSync, writeSync } from 'node:fs';

import { argvEnvFor, scriptArgv } from '../system/raw_argv.js';

export const READY_FD_ENV = 'LSYNCD_TS_READY_FD';
const READY_FD = 3;

export interface LaunchResult {
  readonly code: number;
  readonly pid: number | undefined;
  /** The daemon's error text, when it failed. */
  readonly error?: string;
}

export interface LaunchOptions {
  /** argv after the script (default: this process's, byte for byte: src/system/raw_argv.ts). */
  readonly args?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
}

export function launchDaemon(opts: LaunchOptions = {}): Promise<LaunchResult> {
  const script = process.argv[1]!;
  const own = opts.args ?? scriptArgv();
  const args = [...process.execArgv, script, ...own];
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
    env: { ...(opts.env ?? process.env), [READY_FD_ENV]: String(READY_FD), ...argvEnvFor(own) },
  });
  const pipe = child.stdio[READY_FD] as NodeJS.ReadableStream & { destroy(): void };
  return new Promise<LaunchResult>((resolve) => {
    let buf = '';
    let settled = false;
    const forward = (sig: NodeJS.Signals) => () => {
      if (child.pid !== undefined && child.exitCode === null) child.kill(sig);
    };
    const onTerm = forward('SIGTERM');
    const onInt = forward('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
    const finish = (r: LaunchResult) => {
      if (settled) return;
      settled = true;
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      pipe.removeAllListeners('data');
      pipe.destroy();
      child.removeAllListeners('exit');
      child.unref();
      resolve(r);
    };
    pipe.on('data', (c: Buffer) => {
      buf += c.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      const line = buf.slice(0, nl);
      const ready = /^READY (\d+)$/.exec(line);
      if (ready) return finish({ code: 0, pid: Number(ready[1]) });
      const failed = /^ERROR (\d+) ([\s\S]*)$/.exec(line);
      if (failed) {
        const text = failed[2]!.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
        // The daemon exits right after; wait for it so the caller sees a finished process.
        const code = Number(failed[1]);
        if (child.exitCode !== null || child.signalCode !== null) return finish({ code, pid: child.pid, error: text });
        child.once('exit', () => finish({ code, pid: child.pid, error: text }));
        return;
      }
      finish({ code: 255, pid: child.pid, error: `daemon sent an unexpected start-up message: ${line.slice(0, 200)}` });
    });
    pipe.on('error', () => {});
    child.on('error', (e) => finish({ code: 255, pid: undefined, error: `cannot start the daemon: ${e.message}` }));
    child.on('exit', (code, signal) => {
      // Let a pending READY/ERROR line be read first.
      setImmediate(() =>
        finish({
          code: code ?? 255,
          pid: child.pid,
          error: `the daemon exited before start-up finished (${signal ? `signal ${signal}` : `exit code ${code}`})`,
        }),
      );
    });
  });
}

export interface ReadinessChannel {
  ready(): void;
  failed(code: number, text: string): void;
}

export function readinessChannel(env: NodeJS.ProcessEnv = process.env): ReadinessChannel | undefined {
  const v = env[READY_FD_ENV];
  if (v === undefined) return undefined;
  delete env[READY_FD_ENV];
  const fd = Number(v);
  if (!Number.isInteger(fd) || fd < 0) return undefined;
  let open = true;
  const say = (line: string) => {
    if (!open) return;
    open = false;
    try {
      writeSync(fd, `${line}\n`);
    } catch {
      /* the launcher is gone */
    }
    try {
      closeSync(fd);
    } catch {
      /* already closed */
    }
  };
  return {
    ready: () => say(`READY ${process.pid}`),
    failed: (code, text) => say(`ERROR ${code} ${text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`),
  };
}

/** True when this process is the daemon started by launchDaemon (checked before readinessChannel() consumes it). */
export function isLaunchedDaemon(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[READY_FD_ENV] !== undefined;
}
