/**
 * The in-process operations of the direct transport: one method per kind of change, each making
 * ONE target path match the source's CURRENT state (lsyncd runs cp/rm/mv per event instead and
 * loses files under churn: docs/lsyncd-compat.md#direct-mode-operations).
 *
 * Contract:
 *  - `syncEntry(rel, subtree)` (Create/Modify): lstat the source (never follow) and place the same
 *    kind of entry on the target: regular file → temp copy + rename (copy_atomic.ts), symlink →
 *    same link bytes, directory → mkdir + mode/owner/times (dir_placement.ts), and with `subtree`
 *    the whole source subtree (tree_copy.ts). A vanished source is skipped: its Delete is queued.
 *    FIFOs, sockets and devices are skipped (lsyncd's `cp -p` would block on a FIFO); a full
 *    rsync transfers them if rsync{devices,specials} asks for it.
 *  - `attrib(rel)`: owner (root), mode, times onto the existing target entry; a missing or
 *    differently-typed target entry (or a file whose size differs) is synced instead. lsyncd
 *    drops Attrib (docs/lsyncd-compat.md#direct-mode-operations).
 *  - `remove(rel)`: `rm -r` of the target path, only when deleting while running
 *    (delete_mode.ts), through safeDeletePath (never the target root, no "."/".." — docs/lsyncd-compat.md#direct-mode-operations
 *    "Refusing to erase your harddisk!"), and never through a target ancestor that is not a
 *    real directory.
 *  - `move(from, to)`: rename(2) on the target; fallback to copying `to` from the source (and
 *    removing `from` when deleting is enabled) when the origin is not on the target or the rename
 *    fails; excluded destination → remove(origin), excluded origin → syncEntry(to, subtree)
 *    (lsyncd's move/exclude table, docs/lsyncd-compat.md#paths-moves-and-excludes).
 *  - Type changes (file ↔ directory ↔ symlink, lsyncd#290): the target entry is replaced
 *    (target_removal.ts makeWay: a non-empty directory only when deleting while running).
 *  - Never through a symlink: every write or removal below a directory first passes
 *    ancestor_check.ts (stale events are skipped, target ancestors made real directories).
 *  - Target-side errno failures throw DirectOpError (→ `again`); source-side unreadable entries
 *    are logged and skipped (rsync: partial transfer, code 23 = ok).
 *  - `finishBatch()` at the end of every batch restores the times of the target directories the
 *    batch wrote into and the modes it opened up (attr_restore.ts).
 *
 * This file only decides which concern handles an event; the concerns are plain functions over
 * the batch's state (batch_state.ts), which DirectOps extends so that one batch is one object.
 */
import type { BigIntStats } from 'node:fs';
import { rename, stat } from 'node:fs/promises';
import { safeDeletePath, UnsafeDeleteError } from '../delete_safety.js';
import { ensureParents } from './ancestor_check.js';
import { applyAttrs } from './apply_attrs.js';
import { finishBatch, keepWritable } from './attr_restore.js';
import { BatchState, lstatOrUndefined } from './batch_state.js';
import { copyFileAtomic, copySymlinkAtomic, type MakeWay, type PlaceResult } from './copy_atomic.js';
import { placeDir } from './dir_placement.js';
import { errnoOf, targetError } from './fs_errors.js';
import { ancestorsOf, fsPath, parentOf, related, show, syncPathOf } from './target_paths.js';
import { makeWay, rmTree } from './target_removal.js';
import { copyTree, type EntryPlacer } from './tree_copy.js';

export type { DirectOpsOptions, OpCounters } from './batch_state.js';

type EntryType = 'file' | 'dir' | 'link' | 'other';

function typeOf(st: BigIntStats): EntryType {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'link';
  return 'other';
}

export class DirectOps extends BatchState implements EntryPlacer {
  /** Removes a target entry in the way of a non-directory; a non-empty directory only when deleting. */
  private readonly makeWay: MakeWay = (dstBs, st) => makeWay(this, dstBs, st);

  /** End of a batch: directory times and opened-up modes restored (attr_restore.ts). */
  finishBatch(): Promise<void> {
    return finishBatch(this);
  }

  // ---------------------------------------------------------------- Create / Modify

  /** Makes the target entry at `rel` match the source (see header). */
  async syncEntry(rel: string, subtree: boolean): Promise<void> {
    if (rel === '') {
      if (!(await ensureParents(this, ''))) return;
      const s = await this.sourceStat('');
      if (s !== undefined) await applyAttrs(this.o.dstRoot, s, this.attrs);
      if (subtree) await copyTree(this, this, '');
      return;
    }
    if (!(await ensureParents(this, rel))) return;
    for (let attempt = 0; attempt < 3; attempt++) {
      const s = await this.sourceStat(rel);
      if (s === undefined) return;
      const r = await this.placeEntry(rel, s, subtree);
      if (r !== 'changed') return;
    }
  }

  /** Places one entry of the source's type; 'changed' when the source changed type meanwhile. */
  async placeEntry(rel: string, s: BigIntStats, subtree: boolean): Promise<'done' | 'changed'> {
    const type = typeOf(s);
    if (type === 'dir') {
      await placeDir(this, rel, s);
      if (subtree) await copyTree(this, this, rel);
      return 'done';
    }
    if (type === 'other') {
      this.log.debug('Exec', `direct: skipped special file ${show(this.src(rel))} (FIFO/socket/device: transferred by full rsync only)`);
      return 'done';
    }
    let r: PlaceResult;
    try {
      r = type === 'file'
        ? await copyFileAtomic(this.src(rel), this.dst(rel), this.attrs, this.makeWay)
        : await copySymlinkAtomic(this.src(rel), this.dst(rel), s, this.attrs, this.makeWay);
    } catch (err) {
      throw targetError(type === 'file' ? 'copy' : 'symlink', this.dst(rel), err);
    }
    if (r.kind === 'changed') return 'changed';
    if (r.kind === 'unreadable') this.log.warn(`direct: cannot read source ${show(this.src(rel))}: ${r.code}; skipped`);
    if (r.kind === 'placed') {
      this.counters.files++;
      this.counters.bytes += r.bytes;
      this.touch(parentOf(rel));
    }
    return 'done';
  }

  // ---------------------------------------------------------------- Attrib

  async attrib(rel: string): Promise<void> {
    if (!(await ensureParents(this, rel))) return;
    const s = await this.sourceStat(rel);
    if (s === undefined) return;
    const d = this.dst(rel);
    let t: BigIntStats | undefined;
    try {
      t = rel === '' ? await stat(fsPath(d), { bigint: true }) : await lstatOrUndefined(d);
    } catch (err) {
      throw targetError('lstat', d, err);
    }
    const sameType = t !== undefined && (rel === '' || typeOf(t) === typeOf(s));
    if (!sameType || (s.isFile() && t!.size !== s.size)) {
      await this.syncEntry(rel, false);
      return;
    }
    if (typeOf(s) === 'other') return;
    await applyAttrs(d, s, this.attrs);
    if (s.isDirectory() && rel !== '') await keepWritable(this, rel, Number(s.mode) & 0o7777);
  }

  // ---------------------------------------------------------------- Delete

  /** `rm -r` of the target path when deleting while running; refuses the root (safeDeletePath). */
  async remove(rel: string): Promise<void> {
    if (!this.o.deleteWhileRunning) {
      this.log.debug('Exec', `direct: not deleting ${show(rel)} (delete mode)`);
      return;
    }
    let abs: string;
    try {
      abs = absByteString(safeDeletePath(this.o.targetRoot, syncPathOf(rel, false)));
    } catch (err) {
      if (err instanceof UnsafeDeleteError) {
        this.log.error(`direct: ${err.message}`);
        return;
      }
      throw err;
    }
    // Never delete through a symlink (or a file) standing where the source had a directory.
    for (const a of ancestorsOf(rel)) {
      let t: BigIntStats | undefined;
      try {
        t = await lstatOrUndefined(this.dst(a));
      } catch (err) {
        throw targetError('lstat', this.dst(a), err);
      }
      if (t === undefined || !t.isDirectory()) return;
    }
    const parent = parentOf(rel);
    if (parent !== '') {
      const pt = await lstatOrUndefined(this.dst(parent)).catch(() => undefined);
      if (pt !== undefined) await keepWritable(this, parent, Number(pt.mode) & 0o7777);
    }
    this.invalidate();
    await rmTree(this, abs);
    this.touch(parentOf(rel));
  }

  // ---------------------------------------------------------------- Move

  async move(from: string, to: string, isDir: boolean): Promise<void> {
    const fromExcl = this.excluded(from, isDir);
    const toExcl = this.excluded(to, isDir);
    if (fromExcl && toExcl) return;
    if (toExcl) return this.remove(from);
    if (fromExcl) return this.syncEntry(to, true);
    if (from === '' || to === '' || related(from, to)) return this.fallback(from, to);

    // The origin must be reachable on the target without crossing a symlink.
    for (const a of ancestorsOf(from)) {
      const t = await lstatOrUndefined(this.dst(a)).catch(() => undefined);
      if (t === undefined || !t.isDirectory()) return this.fallback(from, to);
    }
    const origin = await lstatOrUndefined(this.dst(from)).catch(() => undefined);
    if (origin === undefined) return this.fallback(from, to);
    if (!(await ensureParents(this, to))) {
      // The destination's directory is gone on the source again: the entry left the tree.
      await this.remove(from);
      return;
    }
    this.invalidate();
    if (!(await this.renameOnTarget(from, to, origin))) return this.fallback(from, to);
    this.touch(parentOf(from));
    this.touch(parentOf(to));
    // The source may have moved on: make sure the entry now at `to` is of the source's type.
    const s = await this.sourceStat(to);
    if (s !== undefined && typeOf(s) !== typeOf(origin)) await this.syncEntry(to, true);
  }

  /** rename(2) from → to on the target, making way for an entry at `to`; false → use the fallback. */
  private async renameOnTarget(from: string, to: string, origin: BigIntStats): Promise<boolean> {
    const a = fsPath(this.dst(from));
    const b = fsPath(this.dst(to));
    try {
      await rename(a, b);
      return true;
    } catch (err) {
      const code = errnoOf(err);
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EISDIR' && code !== 'ENOTDIR') {
        this.log.debug('Exec', `direct: rename ${show(this.dst(from))} failed (${code ?? 'error'}); copying instead`);
        return false;
      }
    }
    const t = await lstatOrUndefined(this.dst(to)).catch(() => undefined);
    if (t !== undefined) {
      // rename(2) only replaces an empty directory with a directory; anything else in the way is
      // stale target content of the destination.
      if (t.isDirectory() && !origin.isDirectory()) {
        if (!(await this.makeWay(this.dst(to), t))) return false;
      } else if (t.isDirectory()) {
        if (!this.o.deleteWhileRunning) return false;
        await rmTree(this, this.dst(to));
      } else {
        await this.makeWay(this.dst(to), t);
      }
    }
    try {
      await rename(a, b);
      return true;
    } catch {
      return false;
    }
  }

  /** Copy the destination from the source; remove the origin when deleting while running. */
  private async fallback(from: string, to: string): Promise<void> {
    await this.syncEntry(to, true);
    if (this.o.deleteWhileRunning && from !== '' && !related(from, to)) await this.remove(from);
  }
}

/** safeDeletePath returns an absolute SyncPath; back to a byte string. */
function absByteString(p: string | Buffer): string {
  return typeof p === 'string' ? Buffer.from(p, 'utf8').toString('latin1') : p.toString('latin1');
}
