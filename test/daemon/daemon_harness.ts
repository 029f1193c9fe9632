// The real bin/lsyncd-ts as a long-running child process for the lifecycle tests: collects its
// output, waits on conditions (never fixed sleeps), and kills whatever is still running when the
// test ends — including a detached daemon found through its pidfile.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { TestContext } from 'node:test';

import { BIN } from '../cli/run_bin.js';
import { waitFor } from '../helpers/wait_for.js';

export { waitFor };

export interface Running {
  readonly child: ChildProcess;
  /** stdout + stderr so far. */
  output(): string;
  /** stderr only. */
  stderr(): string;
  readonly exited: Promise<number | null>;
  /** Lines of output matching `re`. */
  count(re: RegExp): number;
}

export function startBin(t: TestContext, args: readonly string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Running {
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
    ...(cwd ? { cwd } : {}),
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => {
    out += c.toString();
    err += c.toString();
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return {
    child,
    output: () => out,
    stderr: () => err,
    exited,
    count: (re) => out.split('\n').filter((l) => re.test(l)).length,
  };
}

/** Runs the binary to completion (the daemon-mode launcher). */
export function runBinSync(args: readonly string[], env: NodeJS.ProcessEnv = {}, cwd?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000, ...(cwd ? { cwd } : {}) });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers kill(0): look at its state.
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

export function pidIn(file: string): number | undefined {
  try {
    const n = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Kills the process named by `pidfile` when the test ends (detached daemons are not our children).
 * The pid is noted while the test runs: by the time this hook runs, an earlier one may have
 * removed the temp dir that holds the pidfile (after hooks run in the order they were added).
 */
export function killFromPidfileAfter(t: TestContext, pidfile: string): void {
  let pid: number | undefined;
  const note = setInterval(() => (pid = pidIn(pidfile) ?? pid), 50);
  note.unref();
  t.after(() => {
    clearInterval(note);
    pid = pidIn(pidfile) ?? pid;
    if (pid !== undefined && alive(pid)) process.kill(pid, 'SIGKILL');
  });
}

export interface SyncSpec {
  name: string;
  source: string;
  target: string;
  delay?: number;
}

/** A JSON config (rsync syncs, delay 0 unless given). */
export function writeConfig(file: string, syncs: readonly SyncSpec[], settings: Record<string, unknown> = {}): void {
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        settings,
        sync: syncs.map((s) => ({ mode: 'rsync', name: s.name, source: s.source, target: s.target, delay: s.delay ?? 0 })),
      },
      null,
      2,
    )}\n`,
  );
}

export const fileHas = (p: string, text: string): boolean => existsSync(p) && readFileSync(p, 'utf8') === text;
