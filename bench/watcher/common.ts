// Shared helpers for the watcher benchmarks (bench/RESULTS.md): /proc readers, an lsyncd driver with a
// no-op layer-3 config, child-process plumbing, and cleanup of temp dirs and children on exit
// or failure.
//
// lsyncd is driven through its log file (settings.logfile): lsyncd opens, appends and closes the
// file for every line, so polling it every 2 ms shows a marker within a few ms of lsyncd writing
// it. The config's `init` logs BENCH-INIT (it runs right after Inotify.addSync has walked and
// watched the whole tree, docs/lsyncd-compat.md#startup-order) and discards the Init delay instead of spawning
// rsync; `action` takes one event, counts it, discards it, and logs BENCH-END <count> when it
// sees the sentinel file END.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { onCleanup } from '../cleanup.js';

// ---------- cleanup ----------

export { cleanupAll, installCleanup, makeTempDir, releaseTempDir } from '../cleanup.js';

/** Registers `c` to be killed by cleanupAll while it runs. */
export function trackChild(c: ChildProcess): ChildProcess {
  const forget = onCleanup(() => {
    if (c.exitCode === null && c.signalCode === null && c.pid !== undefined) {
      try {
        process.kill(c.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  });
  c.once('exit', forget);
  return c;
}

// ---------- small utilities ----------

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function fmt(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return 'n/a';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

const clkTck = ((): number => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const n = Number(r.stdout.trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
})();

/** A kB field of /proc/<pid>/status (VmRSS, VmHWM, ...) in bytes; NaN if the process is gone. */
function readStatusBytes(pid: number, field: string): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** VmRSS of a process in bytes (NaN if it is gone). */
export function readRss(pid: number): number {
  return readStatusBytes(pid, 'VmRSS');
}

/** VmHWM (peak resident set) of a process in bytes (NaN if it is gone). */
export function readPeakRss(pid: number): number {
  return readStatusBytes(pid, 'VmHWM');
}

/** utime + stime of a process (all threads) in seconds, from /proc/<pid>/stat. */
export function readCpuSeconds(pid: number): number {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    // f[0] is field 3 (state); utime is field 14, stime field 15.
    return (Number(f[11]) + Number(f[12])) / clkTck;
  } catch {
    return NaN;
  }
}

/**
 * utime + stime of a process and of its children it has waited for (cutime + cstime): the CPU of
 * the daemon and of the transfers (rsync, ssh) it ran and reaped, in seconds.
 */
export function readCpuSecondsWithChildren(pid: number): number {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    // utime, stime, cutime, cstime are fields 14-17.
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / clkTck;
  } catch {
    return NaN;
  }
}

/** Number of inotify watches held by a process (sum of `inotify wd:` lines over its fds). */
export function countInotifyWatches(pid: number): number {
  let n = 0;
  let fds: string[];
  try {
    fds = fs.readdirSync(`/proc/${pid}/fd`);
  } catch {
    return NaN;
  }
  for (const fd of fds) {
    try {
      if (fs.readlinkSync(`/proc/${pid}/fd/${fd}`) !== 'anon_inode:inotify') continue;
      const info = fs.readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
      for (const line of info.split('\n')) if (line.startsWith('inotify wd:')) n++;
    } catch {
      /* fd closed meanwhile */
    }
  }
  return n;
}

export function machineInfo(): Record<string, string> {
  const lsyncdVersion = spawnSync('lsyncd', ['-version'], { encoding: 'utf8' }).stdout.trim();
  const dpkg = spawnSync('dpkg-query', ['-W', '-f', '${Version}', 'lsyncd'], { encoding: 'utf8' }).stdout.trim();
  const q = (f: string): string => {
    try {
      return fs.readFileSync(f, 'utf8').trim();
    } catch {
      return '?';
    }
  };
  return {
    date: new Date().toISOString(),
    nproc: String(os.availableParallelism()),
    cpu: os.cpus()[0]?.model ?? '?',
    memGiB: (os.totalmem() / 2 ** 30).toFixed(1),
    kernel: os.release(),
    node: process.version,
    lsyncd: `${lsyncdVersion}${dpkg ? ` (Debian package ${dpkg})` : ''}`,
    maxQueuedEvents: q('/proc/sys/fs/inotify/max_queued_events'),
    maxUserWatches: q('/proc/sys/fs/inotify/max_user_watches'),
    tmpdir: os.tmpdir(),
  };
}

// ---------- lsyncd driver ----------

export interface LsyncdOptions {
  source: string;
  /** lsyncd `delay` in seconds (0: every event is dispatched as soon as it is queued). */
  delay: number;
  maxDelays?: number;
}

function luaString(s: string): string {
  if (!/^[\w./ -]*$/.test(s)) throw new Error(`path not safe for the generated Lua config: ${s}`);
  return `"${s}"`;
}

export function lsyncdConfig(o: LsyncdOptions, logfile: string): string {
  return `-- generated by bench/watcher/common.ts: no-op layer-3 sync (no rsync, no processes)
settings{ logfile = ${luaString(logfile)}, nodaemon = true }
local n = 0
sync{
  source = ${luaString(o.source)},
  delay = ${o.delay},${o.maxDelays !== undefined ? `\n  maxDelays = ${o.maxDelays},` : ''}
  init = function(event)
    log("Normal", "BENCH-INIT")
    event.inlet.discardEvent(event)
  end,
  action = function(inlet)
    local ev = inlet.getEvent()
    n = n + 1
    if ev.basename == "END" then log("Normal", "BENCH-END " .. n) end
    inlet.discardEvent(ev)
  end,
}
`;
}

export class Lsyncd {
  readonly proc: ChildProcess;
  readonly pid: number;
  private readonly logfile: string;
  private exited = false;

  private constructor(proc: ChildProcess, logfile: string) {
    this.proc = proc;
    this.pid = proc.pid!;
    this.logfile = logfile;
    proc.once('exit', () => (this.exited = true));
  }

  /** Writes the config into `workDir` and starts `lsyncd -nodaemon <config>`. */
  static start(o: LsyncdOptions, workDir: string): Lsyncd {
    const logfile = path.join(workDir, 'lsyncd.log');
    const conf = path.join(workDir, 'lsyncd.conf.lua');
    fs.writeFileSync(logfile, '');
    fs.writeFileSync(conf, lsyncdConfig(o, logfile));
    const proc = trackChild(spawn('lsyncd', ['-nodaemon', conf], { stdio: ['ignore', 'ignore', 'ignore'] }));
    if (proc.pid === undefined) throw new Error('could not start lsyncd (is it installed? apt-get install -y lsyncd)');
    return new Lsyncd(proc, logfile);
  }

  log(): string {
    try {
      return fs.readFileSync(this.logfile, 'utf8');
    } catch {
      return '';
    }
  }

  /**
   * Polls the log every `pollMs` until `re` matches (returns the match and the time it was seen)
   * or `stopRe` matches / lsyncd exits / the timeout passes (throws, with the log tail).
   */
  async waitFor(re: RegExp, timeoutMs: number, stopRe?: RegExp, pollMs = 2): Promise<{ match: RegExpExecArray; at: number }> {
    const end = performance.now() + timeoutMs;
    for (;;) {
      const text = this.log();
      const m = re.exec(text);
      if (m) return { match: m, at: performance.now() };
      if (stopRe && stopRe.test(text)) throw new LsyncdStop(`lsyncd log matched ${stopRe}`, text);
      if (this.exited) throw new LsyncdStop('lsyncd exited', text);
      if (performance.now() > end) throw new LsyncdStop(`timeout waiting for ${re}`, text);
      await sleep(pollMs);
    }
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((r) => this.proc.once('exit', () => r()));
    this.proc.kill('SIGTERM');
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(t);
  }
}

export class LsyncdStop extends Error {
  constructor(
    msg: string,
    readonly log: string,
  ) {
    super(`${msg}; log tail:\n${log.split('\n').slice(-8).join('\n')}`);
  }
}

// ---------- child processes ----------

/** Runs `node [nodeArgs] script args`, returns the JSON printed on its last stdout line. */
export function runNodeChild<T>(script: string, args: string[], nodeArgs: string[] = [], timeoutMs = 600_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const c = trackChild(spawn(process.execPath, [...nodeArgs, script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] }));
    let out = '';
    c.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    const t = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
    c.once('exit', (code, sig) => {
      clearTimeout(t);
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`${path.basename(script)} ${args.join(' ')} failed (${code ?? sig}): ${out.slice(-500)}`));
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`${path.basename(script)} printed no JSON: ${out.slice(-500)}`));
      }
    });
  });
}
