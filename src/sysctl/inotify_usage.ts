// How many inotify watches and instances other processes of this user already hold, so the
// helper can compare the tree against what is actually left of fs.inotify.max_user_watches
// (the limit is per user, not per process).
//
// Method (cheap: no stat per file, a few ms on a normal host): for every /proc/<pid> owned by our
// uid, readlink each /proc/<pid>/fd/<n>; an inotify instance links to "anon_inode:inotify", and
// /proc/<pid>/fdinfo/<n> has one "inotify wd:" line per watch (proc(5)).
// Excluded: this process, and processes whose command line mentions "lsyncd-ts" — a running
// lsyncd-ts daemon already holds the watches for the very trees being counted, so counting them
// again would make `--check` fail on a healthy system. Processes we may not inspect (another
// user's, when not root) are skipped; `complete` says whether anything was skipped.
import { readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { type SystemRoot, systemPath } from './proc_root.js';

export interface InotifyUsage {
  /** Watches held by other processes of this uid. */
  watches: number;
  /** inotify instances held by other processes of this uid. */
  instances: number;
  /** False when some process of this uid could not be inspected (or /proc is unreadable). */
  complete: boolean;
}

export interface UsageOptions {
  readonly uid: number;
  /** Our own pid (excluded). */
  readonly selfPid: number;
}

export function readInotifyUsage(root: SystemRoot, opts: UsageOptions): InotifyUsage {
  const proc = systemPath(root, '/proc');
  const out: InotifyUsage = { watches: 0, instances: 0, complete: true };
  let pids: string[];
  try {
    pids = readdirSync(proc).filter((n) => /^\d+$/.test(n));
  } catch {
    return { watches: 0, instances: 0, complete: false };
  }
  for (const pid of pids) {
    if (Number(pid) === opts.selfPid) continue;
    const dir = `${proc}/${pid}`;
    try {
      if (statSync(dir).uid !== opts.uid) continue;
    } catch {
      continue; // exited meanwhile
    }
    let fds: string[];
    try {
      fds = readdirSync(`${dir}/fd`);
    } catch {
      out.complete = false;
      continue;
    }
    let watches = 0;
    let instances = 0;
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`${dir}/fd/${fd}`);
      } catch {
        continue;
      }
      if (target !== 'anon_inode:inotify') continue;
      instances++;
      try {
        const info = readFileSync(`${dir}/fdinfo/${fd}`, 'utf8');
        for (let i = info.indexOf('inotify wd:'); i >= 0; i = info.indexOf('inotify wd:', i + 1)) watches++;
      } catch {
        out.complete = false;
      }
    }
    if (instances === 0) continue;
    let cmdline = '';
    try {
      cmdline = readFileSync(`${dir}/cmdline`, 'latin1');
    } catch {
      // unknown command line: count it
    }
    if (cmdline.includes('lsyncd-ts')) continue;
    out.watches += watches;
    out.instances += instances;
  }
  return out;
}
