// Count the directories lsyncd-ts would watch under one source (a million
// directories in seconds, not minutes; lsyncd#202: walks of ~1M directories taking
// "an enormous amount of time").
//
// Semantics — the same as the watcher's (docs/lsyncd-compat.md#watches-and-inotifymode, docs/lsyncd-compat.md#startup-order step 3):
//  - one watch per directory, the root included; files cost nothing;
//  - symlinks are never followed (a symlink to a directory is not a directory here);
//  - rules are evaluated level-wise top-down with src/filters' RuleList.decide: a child directory
//    is asked about only when its parent was included, and an excluded directory is never opened
//    (rsync and the watcher never descend into it either — src/filters/rule_list.ts);
//  - a directory that cannot be read (EACCES, vanished) cannot be watched either: it is counted in
//    `unreadable`, not in `dirs`.
// Speed: iterative (explicit stack, no recursion), one readdirSync({withFileTypes}) per directory
// — the d_type from getdents, no stat per entry (Node itself lstat()s only DT_UNKNOWN entries,
// e.g. on file systems without d_type). Names are read as latin1 "byte strings"
// (src/paths/byte_path.ts) so non-UTF-8 names are matched byte-exactly like rsync does.
// Measured (2-vCPU VM, ext4, warm cache, 101,111 directories): this walk 0.75–0.9 s; `find -type d`
// 1.0 s; readdirSync without types 0.73 s (so the kernel's openat/getdents dominate); async
// fs.readdir with 4–64 in flight 1.0–1.9 s; 2–3 worker_threads splitting the tree: no gain
// (kernel-bound). Hence one synchronous walk: ~1M directories in ~8 s warm on that VM.
// test/sysctl/count_dirs.test.ts re-measures on a generated 100,000-directory tree and prints the
// time as a test diagnostic.
// `stopAfter`: stop once `dirs` exceeds it (check-config only needs to know "more than the limit").
// `countEntries`: also count every entry below the root that the rules let through (files,
// symlinks, directories; the root itself not), stopping once `entries` exceeds
// `stopAfterEntries` — the mass-delete guard's "how much is left in the source"
// (src/engine/delete_guard.ts), which only needs to know whether the count is above a bound.
import { type Dirent, readdirSync } from 'node:fs';
import { type SyncPath, toByteString } from '../paths/byte_path.js';
import type { RuleList } from '../filters/rule_list.js';

export interface DirCount {
  /** Directories that would be watched (the root included). */
  dirs: number;
  /** Directories skipped because a rule excludes them (their subtrees are not visited). */
  excluded: number;
  /** Directories that could not be read. */
  unreadable: number;
  /** Up to 5 unreadable paths with the reason, for the report. */
  unreadableSamples: string[];
  /** True when the walk stopped early because `dirs` exceeded `stopAfter` (or `entries` `stopAfterEntries`). */
  truncated: boolean;
  /** With `countEntries`: entries below the root the rules let through (else 0). */
  entries: number;
}

export interface CountOptions {
  readonly rules?: RuleList;
  readonly stopAfter?: number;
  readonly countEntries?: boolean;
  readonly stopAfterEntries?: number;
}

const ASCII = /^[\x00-\x7f]*$/;

/** A byte string (one char per byte) as something fs/RuleList accept. */
function fsPath(bytes: string): SyncPath {
  return ASCII.test(bytes) ? bytes : Buffer.from(bytes, 'latin1');
}

/**
 * Names (latin1 byte strings) of the subdirectories of one directory. Falls back to Buffer names
 * when Node's DT_UNKNOWN lstat trips over a non-UTF-8 name (it re-encodes latin1 names as UTF-8).
 */
function subdirNames(dirBytes: string, others?: string[]): string[] {
  const p = fsPath(dirBytes);
  const out: string[] = [];
  let ents: Dirent[];
  try {
    ents = readdirSync(p, { withFileTypes: true, encoding: 'latin1' }) as Dirent[];
  } catch (e) {
    const errPath = (e as NodeJS.ErrnoException).path;
    if (errPath === undefined || errPath === (typeof p === 'string' ? p : p.toString())) throw e;
    for (const d of readdirSync(Buffer.from(dirBytes, 'latin1'), { withFileTypes: true, encoding: 'buffer' })) {
      if (d.isDirectory()) out.push(d.name.toString('latin1'));
      else others?.push(d.name.toString('latin1'));
    }
    return out;
  }
  for (const d of ents) {
    if (d.isDirectory()) out.push(d.name);
    else others?.push(d.name);
  }
  return out;
}

/**
 * Walk `root` (an existing directory; symlinks in the root path itself are the caller's
 * business — pass the realpath) and count the directories to watch.
 */
export function countWatchedDirs(root: string, opts: CountOptions = {}): DirCount {
  const base = toByteString(root.replace(/\/+$/, '')); // byte-exact, also for a non-UTF-8 root
  const rules = opts.rules !== undefined && opts.rules.active ? opts.rules : undefined;
  const stopAfter = opts.stopAfter ?? Number.POSITIVE_INFINITY;
  const stopAfterEntries = opts.stopAfterEntries ?? Number.POSITIVE_INFINITY;
  const others: string[] | undefined = opts.countEntries === true ? [] : undefined;
  const out: DirCount = { dirs: 0, excluded: 0, unreadable: 0, unreadableSamples: [], truncated: false, entries: 0 };
  // Root-relative paths with leading and trailing "/" (the rule-list convention).
  const stack: string[] = ['/'];
  while (stack.length > 0) {
    const rel = stack.pop()!;
    let names: string[];
    if (others !== undefined) others.length = 0;
    try {
      names = subdirNames(base + rel, others);
    } catch (e) {
      out.unreadable++;
      if (out.unreadableSamples.length < 5) {
        const abs = Buffer.from(base + rel, 'latin1').toString('utf8');
        out.unreadableSamples.push(`${abs}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      continue;
    }
    out.dirs++;
    if (out.dirs > stopAfter) {
      out.truncated = true;
      break;
    }
    for (const name of names) {
      const child = `${rel}${name}/`;
      if (rules !== undefined && rules.decide(fsPath(child)) === 'exclude') {
        out.excluded++;
        continue;
      }
      stack.push(child);
      out.entries += others !== undefined ? 1 : 0;
    }
    if (others === undefined) continue;
    for (const name of others) if (rules === undefined || rules.decide(fsPath(`${rel}${name}`)) !== 'exclude') out.entries++;
    if (out.entries > stopAfterEntries) {
      out.truncated = true;
      break;
    }
  }
  return out;
}
