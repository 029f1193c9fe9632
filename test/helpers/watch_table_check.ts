// Watch-table consistency check: the watcher's own table (Watcher.__dumpWatches) against the
// file system and against the kernel's list of watches (/proc/self/fdinfo/<inotify fd>, one
// "inotify wd:<hex> ino:<hex> sdev:<hex> ..." line per watch, proc(5)). Call it after flush()
// on a quiet tree. It finds the two ways a recursive watcher silently goes blind:
//   - a directory in the tree with no watch (events under it are never seen), and
//   - a watch whose table path names another inode than the one the kernel watches (events
//     under it are reported at the wrong path),
// plus table paths that no longer exist and kernel watches the table forgot (leaks).
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';

import type { Watcher } from '../../src/watcher/index.js';

function kernelWatches(inotifyFd: number): Map<number, bigint> {
  const out = new Map<number, bigint>();
  const text = readFileSync(`/proc/self/fdinfo/${inotifyFd}`, 'utf8');
  for (const m of text.matchAll(/^inotify wd:([0-9a-f]+) ino:([0-9a-f]+)/gm))
    out.set(parseInt(m[1]!, 16), BigInt(`0x${m[2]!}`));
  return out;
}

/**
 * Whether some inotify instance of this process watches `dir` (its inode is in a watch list
 * in /proc/self/fdinfo): the moment a watcher started in-process has set a watch, observed
 * from outside the watcher.
 */
export function watchedByThisProcess(dir: string): boolean {
  const ino = BigInt(lstatSync(dir, { bigint: true }).ino);
  for (const fd of readdirSync('/proc/self/fd')) {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue; // closed meanwhile
    }
    if (target !== 'anon_inode:inotify') continue;
    try {
      for (const i of kernelWatches(Number(fd)).values()) if (i === ino) return true;
    } catch {
      // closed meanwhile
    }
  }
  return false;
}

/** Every directory under `root` (itself included), not following symlinks, as byte paths. */
function directoriesUnder(root: string): Buffer[] {
  const dirs: Buffer[] = [Buffer.from(root)];
  for (let i = 0; i < dirs.length; i++) {
    for (const d of readdirSync(dirs[i]!, { encoding: 'buffer', withFileTypes: true })) {
      if (d.isDirectory()) dirs.push(Buffer.concat([dirs[i]!, Buffer.from('/'), d.name]));
    }
  }
  return dirs;
}

/** Returns one line per inconsistency; [] when table, kernel and file system agree. */
export async function checkWatchTable(watcher: Watcher, roots: string[]): Promise<string[]> {
  const { inotifyFd, watches } = await watcher.__dumpWatches();
  const kernel = kernelWatches(inotifyFd);
  const problems: string[] = [];
  const show = (b: Buffer) => JSON.stringify(b.toString('latin1'));
  const tablePaths = new Set<string>();
  const tableWds = new Set<number>();
  for (const { wd, path: p } of watches) {
    tablePaths.add(p.toString('latin1'));
    tableWds.add(wd);
    const kIno = kernel.get(wd);
    if (kIno === undefined) {
      problems.push(`table wd ${wd} ${show(p)}: the kernel has no such watch`);
      continue;
    }
    let ino: bigint;
    try {
      const st = lstatSync(p, { bigint: true });
      if (!st.isDirectory()) {
        problems.push(`table wd ${wd} ${show(p)}: not a directory`);
        continue;
      }
      ino = st.ino;
    } catch {
      problems.push(`table wd ${wd} ${show(p)}: path does not exist`);
      continue;
    }
    if (ino !== kIno) problems.push(`table wd ${wd} ${show(p)}: inode ${ino}, but the kernel watches inode ${kIno} (stale path)`);
  }
  for (const wd of kernel.keys())
    if (!tableWds.has(wd)) problems.push(`kernel wd ${wd} is not in the table (leaked watch)`);
  for (const root of roots)
    for (const d of directoriesUnder(path.resolve(root)))
      if (!tablePaths.has(d.toString('latin1'))) problems.push(`directory ${show(d)} is not watched`);
  return problems;
}
