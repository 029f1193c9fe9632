// Pidfile: one running lsyncd-ts per pidfile, in daemon AND nodaemon mode (lsyncd writes it only
// when daemonizing, so `-nodaemon -pidfile` under systemd got no pidfile: lsyncd#438, lsyncd#495,
// lsyncd#465; docs/lsyncd-compat.md#signals-and-exit-codes).
//
// Contract:
//   acquirePidfile(file) → Pidfile | throws PidfileBusyError (one line naming the pid and the file),
//   NotAPidfileError or a plain Error (cannot write the file). Pidfile.release() removes the file only while it
//   still holds our pid (never someone else's), and is idempotent.
//
// Locking without flock (Node has none, lsyncd uses lockf(F_TLOCK)): the file is the lock.
//   - Creation is exclusive AND atomic with its content: the pid is written to a private temp
//     file which is then hard-linked to the pidfile name; link(2) fails with EEXIST when the name
//     exists, and a racer never sees an empty pidfile (which `open(O_CREAT|O_EXCL)` + write
//     would show for a moment).
//   - An existing file is live when its pid exists in /proc AND /proc/<pid>/cmdline is an
//     lsyncd-ts process (a reused pid of another program is stale). A zombie has an empty cmdline:
//     stale. An unreadable /proc entry is treated as live (refusing is the safe side).
//   - Only a file that can be a pidfile is ever replaced: empty (or blank), or one decimal number
//     (the form readPid reads). Anything else (a mistyped -pidfile naming a config, a log, ...) is refused with
//     NotAPidfileError and left untouched — neither overwritten now nor removed at exit.
//   - A stale file is replaced under a short-lived guard (`<file>.lock`, created O_EXCL): the
//     guard holder re-reads the file, and only if it still names the same stale pid renames a
//     temp file over it (atomic). Two starters racing on one stale file cannot both win. A guard
//     left by a crash in that tiny window is removed once it is older than GUARD_STALE_MS.
import { closeSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';

export class PidfileBusyError extends Error {
  constructor(
    readonly pid: number,
    readonly file: string,
  ) {
    super(`lsyncd-ts is already running as pid ${pid} (pidfile ${file}) — stop it first or use another pidfile`);
  }
}

export class NotAPidfileError extends Error {
  constructor(readonly file: string) {
    super(`pidfile ${file} exists and is not a pidfile (it holds something other than a process id) — point the pidfile setting (-pidfile) at another path, or remove the file if it is a leftover`);
  }
}

export interface Pidfile {
  readonly file: string;
  readonly pid: number;
  /** Removes the file if it still holds our pid. Safe to call more than once. */
  release(): void;
}

const GUARD_STALE_MS = 10_000;
const ATTEMPTS = 50;

/** The pid in a pidfile, undefined when absent, empty or garbage. */
export function readPid(file: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const m = /^\s*(\d+)\s*$/.exec(text);
  if (!m) return undefined;
  const pid = Number(m[1]);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

/** True when the file exists with content a pidfile never has (not empty, not one decimal number). */
function holdsForeignContent(file: string): boolean {
  let text: string;
  try {
    text = readFileSync(file, 'latin1');
  } catch (e) {
    // Gone meanwhile: nothing to protect. Unreadable (a directory, no permission): not ours to replace.
    return (e as NodeJS.ErrnoException).code !== 'ENOENT';
  }
  return text.trim() !== '' && !/^\s*\d+\s*$/.test(text);
}

/** True when `pid` is a live lsyncd-ts process (argv[0] or argv[1] named lsyncd-ts). */
export function isLsyncdTsProcess(pid: number): boolean {
  let cmdline: Buffer;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // gone (ENOENT/ESRCH) → not running; anything else (EACCES with hidepid) → assume live.
    return !(code === 'ENOENT' || code === 'ESRCH');
  }
  const argv = cmdline.toString('utf8').split('\0').slice(0, 2);
  return argv.some((a) => /^lsyncd-ts(\.js)?$/.test(path.basename(a)));
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function writeTemp(file: string, pid: number): string {
  const tmp = `${file}.${pid}.${Math.random().toString(36).slice(2)}.tmp`;
  const fd = openSync(tmp, 'wx', 0o644);
  try {
    writeSync(fd, `${pid}\n`);
  } finally {
    closeSync(fd);
  }
  return tmp;
}

function unlinkQuiet(p: string): void {
  try {
    unlinkSync(p);
  } catch {
    /* already gone */
  }
}

/** Creates the file with our pid if nobody has it; false when it exists. */
function tryCreate(file: string, pid: number): boolean {
  const tmp = writeTemp(file, pid);
  try {
    linkSync(tmp, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    unlinkQuiet(tmp);
  }
}

/** Replaces a stale file that names `stalePid` (or garbage) under the guard; false to retry. */
function tryReplaceStale(file: string, stalePid: number | undefined, pid: number): boolean {
  const guard = `${file}.lock`;
  let gfd: number;
  try {
    gfd = openSync(guard, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    try {
      if (Date.now() - statSync(guard).mtimeMs > GUARD_STALE_MS) unlinkQuiet(guard);
    } catch {
      /* released meanwhile */
    }
    return false;
  }
  try {
    closeSync(gfd);
    try {
      statSync(file);
    } catch {
      return false; // removed meanwhile: create it normally
    }
    if (readPid(file) !== stalePid) return false; // someone else replaced it
    if (stalePid === undefined && holdsForeignContent(file)) return false; // re-checked by the caller
    const tmp = writeTemp(file, pid);
    try {
      renameSync(tmp, file);
    } catch (e) {
      unlinkQuiet(tmp);
      throw e;
    }
    return true;
  } finally {
    unlinkQuiet(guard);
  }
}

export interface AcquireOptions {
  /** The pid to write (default: this process). */
  readonly pid?: number;
  /** Called when a stale pidfile is replaced (for the log). */
  readonly onStale?: (stalePid: number | undefined) => void;
}

export function acquirePidfile(fileIn: string, opts: AcquireOptions = {}): Pidfile {
  const file = path.resolve(fileIn);
  const pid = opts.pid ?? process.pid;
  const made = (): Pidfile => {
    let released = false;
    return {
      file,
      pid,
      release() {
        if (released) return;
        released = true;
        if (readPid(file) === pid) unlinkQuiet(file);
      },
    };
  };
  try {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      if (tryCreate(file, pid)) return made();
      const owner = readPid(file);
      if (owner === pid) return made();
      if (owner !== undefined && isLsyncdTsProcess(owner)) throw new PidfileBusyError(owner, file);
      if (owner === undefined) {
        // Empty or garbage: our writers never leave one (link is atomic); lsyncd or a crash may.
        // Give a concurrent non-atomic writer a moment before calling it stale.
        sleepSync(20);
        if (readPid(file) !== undefined) continue;
        if (holdsForeignContent(file)) throw new NotAPidfileError(file);
      }
      if (tryReplaceStale(file, owner, pid)) {
        opts.onStale?.(owner);
        return made();
      }
      sleepSync(10 + Math.floor(Math.random() * 20));
    }
  } catch (e) {
    if (e instanceof PidfileBusyError || e instanceof NotAPidfileError) throw e;
    throw new Error(`cannot write pidfile ${file}: ${(e as Error).message}`);
  }
  throw new Error(`cannot write pidfile ${file}: still contended after ${ATTEMPTS} attempts`);
}
