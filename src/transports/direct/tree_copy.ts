/**
 * Copying a whole source subtree onto the target: a directory Create that stands for a moved or
 * new tree (`fromMove`), a Move's copy fallback, the target root's own subtree.
 *
 * Contract:
 *  - Input: `rel`, a directory already placed on the target (dir_placement.ts), and the
 *    operations that place one entry (`EntryPlacer`, implemented by DirectOps: the same code as
 *    a single Create, so a file in a tree is copied exactly as a changed file is).
 *  - Iterative (deep trees do not grow the stack). Each directory's entries are lstat'ed and its
 *    files placed with up to `treeConcurrency` (default 16) operations in flight; its
 *    subdirectories are placed before their contents and get their times after them.
 *  - Excluded entries (rules.isExcluded) are neither copied nor removed.
 *  - rsync's quick check: a regular target file of the same size and mtime (within 2 µs) is left
 *    alone, so copying a tree onto a copy of itself writes nothing.
 *  - With delete-while-running, target-only entries of each directory are removed (rsync
 *    --delete), except excluded ones; temp entries of an interrupted copy (TEMP_PREFIX) are
 *    removed even when an exclude pattern matches them.
 *  - The batch's abort signal stops it between directories (DirectOpError: the batch is
 *    retried); an unreadable source directory is logged and skipped (rsync: code 23 = ok).
 */
import type { BigIntStats, Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { applyTimes } from './apply_attrs.js';
import { type BatchState, lstatOrUndefined } from './batch_state.js';
import { placeDir } from './dir_placement.js';
import { forEachLimit } from './for_each_limit.js';
import { DirectOpError, errnoOf, isGone, targetError } from './fs_errors.js';
import { rmTree } from './target_removal.js';
import { fsPath, show, TEMP_PREFIX } from './target_paths.js';

/** Placing one entry, as a Create does (direct_ops.ts). */
export interface EntryPlacer {
  /** Places one entry of the source's type; 'changed' when the source changed type meanwhile. */
  placeEntry(rel: string, s: BigIntStats, subtree: boolean): Promise<'done' | 'changed'>;
  /** Makes the target entry at `rel` match the source, from a fresh lstat. */
  syncEntry(rel: string, subtree: boolean): Promise<void>;
}

/**
 * Copies the source subtree below the directory `rel` (already placed) onto the target.
 * Iterative (deep trees do not grow the stack); directory times are set after their contents.
 */
export async function copyTree(b: BatchState, place: EntryPlacer, rel: string): Promise<void> {
  const stack = [rel];
  const done: { rel: string; st: BigIntStats }[] = [];
  const conc = b.o.treeConcurrency ?? 16;
  while (stack.length > 0) {
    if (b.signal?.aborted === true) throw new DirectOpError('copy of subtree', b.dst(rel), 'aborted (shutdown)');
    const dir = stack.pop()!;
    let names: Buffer[];
    try {
      names = await readdir(fsPath(b.src(dir)), { encoding: 'buffer' });
    } catch (err) {
      if (isGone(err)) continue;
      const code = errnoOf(err);
      if (code === undefined) throw err;
      b.log.warn(`direct: cannot read source directory ${show(b.src(dir))}: ${code}; skipped`);
      continue;
    }
    const present = new Set<string>();
    const files: { rel: string; st: BigIntStats }[] = [];
    const stats: (BigIntStats | undefined)[] = new Array<BigIntStats | undefined>(names.length);
    await forEachLimit(names.map((_, i) => i), conc, async (i) => {
      stats[i] = await b.sourceStat(`${dir}/${names[i]!.toString('latin1')}`);
    });
    for (let i = 0; i < names.length; i++) {
      const s = stats[i];
      if (s === undefined) continue;
      const name = names[i]!.toString('latin1');
      const child = `${dir}/${name}`;
      const isDir = s.isDirectory();
      if (b.excluded(child, isDir)) continue;
      present.add(name);
      if (isDir) {
        await placeDir(b, child, s);
        done.push({ rel: child, st: s });
        stack.push(child);
      } else files.push({ rel: child, st: s });
    }
    await forEachLimit(files, conc, async (f) => {
      if (f.st.isFile() && (await upToDate(b, f.rel, f.st))) return;
      if ((await place.placeEntry(f.rel, f.st, false)) === 'changed') await place.syncEntry(f.rel, false);
    });
    if (b.o.deleteWhileRunning) await pruneExtra(b, dir, present);
  }
  for (let i = done.length - 1; i >= 0; i--) await applyTimes(b.dst(done[i]!.rel), done[i]!.st, b.attrs);
}

/** rsync's quick check, for subtree copies only: a regular target file of the same size and mtime (µs). */
async function upToDate(b: BatchState, rel: string, s: BigIntStats): Promise<boolean> {
  const t = await lstatOrUndefined(b.dst(rel)).catch(() => undefined);
  if (t === undefined || !t.isFile() || t.size !== s.size) return false;
  const diff = t.mtimeNs - s.mtimeNs;
  return diff > -2000n && diff < 2000n;
}

/** Removes target entries of `dir` that the source does not have (and that are not excluded). */
async function pruneExtra(b: BatchState, dir: string, present: ReadonlySet<string>): Promise<void> {
  let entries: Dirent<Buffer>[];
  try {
    entries = await readdir(fsPath(b.dst(dir)), { encoding: 'buffer', withFileTypes: true });
  } catch (err) {
    if (isGone(err)) return;
    throw targetError('readdir', b.dst(dir), err);
  }
  for (const e of entries) {
    const name = e.name.toString('latin1');
    if (present.has(name)) continue;
    const child = `${dir}/${name}`;
    if (!name.startsWith(TEMP_PREFIX) && b.excluded(child, e.isDirectory())) continue;
    await rmTree(b, b.dst(child));
    b.touch(dir);
  }
}
