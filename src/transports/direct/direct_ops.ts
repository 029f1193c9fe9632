/**
 * The in-process operations of the direct transport: one method per kind of change, each making
 * ONE target path match the source's CURRENT state (docs/lsyncd-compat.md#direct-mode-operations runs cp/rm/mv per
 * event instead and loses files under churn).
 *
 * Contract:
 *  - `syncEntry(rel, subtree)` (Create/Modify): lstat the source (never follow) and place the same
 *    kind of entry on the target: regular file → temp copy + rename (copy_atomic.ts), symlink →
 *    same link bytes, directory → mkdir + mode/owner/times, and with `subtree` the whole source
 *    subtree (rules.isExcluded respected; with delete-while-running, target-only non-excluded
 *    entries in it are removed, as rsync --delete would). A vanished source is skipped: its
 *    Delete is queued. FIFOs, sockets and devices are skipped (lsyncd's `cp -p` would block on a
 *    FIFO); a full rsync transfers them if rsync{devices,specials} asks for it.
 *  - `attrib(rel)`: owner (root), mode, times onto the existing target entry; a missing or
 *    differently-typed target entry (or a file whose size differs) is synced instead. lsyncd
 *    drops Attrib (docs/lsyncd-compat.md#direct-mode-operations).
 *  - `remove(rel)`: `rm -r` of the target path, only when deleting while running
 *    (delete_mode.ts), through safeDeletePath (never the target root, no "."/".." — docs/lsyncd-compat.md#direct-mode-operations
 *    "Refusing to erase your harddisk!").
 *  - `move(from, to)`: rename(2) on the target; fallback to copying `to` from the source (and
 *    removing `from` when deleting is enabled) when the origin is not on the target or the rename
 *    fails; excluded destination → remove(origin), excluded origin → syncEntry(to, subtree)
 *    (lsyncd's move/exclude table, docs/lsyncd-compat.md#paths-moves-and-excludes).
 *  - Type changes (file ↔ directory ↔ symlink, lsyncd issue #290): the target entry is replaced.
 *    Replacing a non-directory is like overwriting a file and always allowed; removing a
 *    NON-EMPTY directory to make way for a file/symlink is a delete and only happens when
 *    deleting while running — otherwise the directory is kept and a warning logged.
 *  - Never through a symlink: before anything is written or removed below a directory, every
 *    ancestor is checked to be a real directory on the source (else the event is stale: skipped)
 *    and on the target (a missing one is created with the source's attributes; a file or symlink
 *    in its place is replaced). Without this, a target symlink left from an earlier state
 *    (issue #290: "quickly replacing a directory by a symlink deletes files on the target") would
 *    let a copy or an `rm -r` escape the target tree. The verdicts are cached within one batch
 *    only, and dropped whenever a directory is removed, replaced or moved.
 *  - Target-side errno failures throw DirectOpError (→ `again`); source-side unreadable entries
 *    are logged and skipped (rsync: partial transfer, code 23 = ok).
 *  - Writing into a target directory changes its mtime; every directory touched is recorded and
 *    `finishBatch()` copies the source directory's times back at the end of a batch. Without
 *    root, a directory whose mode lacks u+wx is opened up while the batch writes into it and
 *    gets its exact mode back at the end (rsync does the same).
 */
import { type BigIntStats, lstatSync, statSync } from 'node:fs';
import { chmod, lstat, mkdir, readdir, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import type { RuleList } from '../../filters/index.js';
import type { Log } from '../../log/log.js';
import { safeDeletePath, UnsafeDeleteError } from '../delete_safety.js';
import { applyAttrs, applyTimes, type AttrOptions } from './apply_attrs.js';
import { ancestorsOf, fsPath, parentOf, related, show, syncPathOf, TEMP_PREFIX } from './target_paths.js';
import { copyFileAtomic, copySymlinkAtomic, type MakeWay, type PlaceResult } from './copy_atomic.js';
import { DirectOpError, errnoOf, isGone, targetError } from './fs_errors.js';

export interface DirectOpsOptions {
  /** Source root, byte string, no trailing "/". */
  readonly srcRoot: string;
  /** Target root, byte string, no trailing "/". */
  readonly dstRoot: string;
  /** The configured target (for safeDeletePath). */
  readonly targetRoot: string;
  readonly deleteWhileRunning: boolean;
  readonly rules: RuleList;
  /** Preserve owner/group (running as root). */
  readonly owner: boolean;
  /** Files copied concurrently inside one directory of a subtree copy. */
  readonly treeConcurrency?: number;
  /** Permission checks do not apply to us (root); default: the `owner` value. */
  readonly privileged?: boolean;
  /** Keys of warnings already logged, shared by the DirectOps of one sync (one per batch). */
  readonly warned?: Set<string>;
}

export interface OpCounters {
  files: number;
  bytes: number;
}

type EntryType = 'file' | 'dir' | 'link' | 'other';

function typeOf(st: BigIntStats): EntryType {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'link';
  return 'other';
}

async function lstatOrUndefined(bs: string): Promise<BigIntStats | undefined> {
  try {
    return await lstat(fsPath(bs), { bigint: true });
  } catch (err) {
    if (isGone(err)) return undefined;
    throw err;
  }
}

/** Runs `fn` over `items` with at most `limit` in flight; rejects with the first error (in item order) after all settled. */
export async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const errors: { index: number; err: unknown }[] = [];
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      try {
        await fn(items[i]!);
      } catch (err) {
        errors.push({ index: i, err });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (errors.length > 0) {
    errors.sort((a, b) => a.index - b.index);
    throw errors[0]!.err;
  }
}

export class DirectOps {
  readonly counters: OpCounters = { files: 0, bytes: 0 };
  private readonly attrs: AttrOptions;
  /** rel dir → verdict "real directory on source, directory on target" (false = stale), or the check still running. */
  private readonly dirCache = new Map<string, boolean | Promise<boolean>>();
  private readonly touched = new Set<string>();
  /** Target directories opened up to u+wx for writing (non-root), rel → exact mode to restore. */
  private readonly lockedModes = new Map<string, number>();
  private readonly warned: Set<string>;

  constructor(
    private readonly o: DirectOpsOptions,
    private log: Log,
  ) {
    this.warned = o.warned ?? new Set<string>();
    this.attrs = {
      owner: o.owner,
      onUnsupported: (what, p, code) => this.warnOnce(`${what}:${code}`, `direct: ${what} not supported on the target (${code}, first seen at ${show(p)}); attribute not preserved`),
    };
  }

  private signal: AbortSignal | undefined;

  /** The log and abort signal of the batch being run (TransferContext). */
  setContext(log: Log, signal: AbortSignal | undefined): void {
    this.log = log;
    this.signal = signal;
  }

  private src(rel: string): string {
    return this.o.srcRoot + rel;
  }

  private dst(rel: string): string {
    return this.o.dstRoot + rel;
  }

  private warnOnce(key: string, msg: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.log.warn(msg);
  }

  /** Forget cached directory verdicts (after a full transfer, a removal, a move). */
  invalidate(): void {
    this.dirCache.clear();
  }

  private excluded(rel: string, isDir: boolean): boolean {
    return this.o.rules.active && this.o.rules.isExcluded(syncPathOf(rel, isDir));
  }

  // ---------------------------------------------------------------- directories on the way

  /** Every ancestor of `rel` is a real directory on the source and exists as one on the target. */
  async ensureParents(rel: string): Promise<boolean> {
    if (this.parentsReadySync(rel)) return true;
    if (!(await this.ensureDir(''))) return false;
    for (const a of ancestorsOf(rel)) if (!(await this.ensureDir(a))) return false;
    return true;
  }

  /**
   * The common case of ensureParents without promises: the target root and every ancestor are
   * already directories (each level checked on both sides, lstat, never following a link), so
   * nothing needs placing. False at the first level that needs work or any error — the caller
   * then takes the full path, which places, reports and retries. Verified levels go into the
   * verdict cache like the full path's.
   */
  private parentsReadySync(rel: string): boolean {
    try {
      if (this.dirCache.get('') !== true) {
        if (!statSync(fsPath(this.o.dstRoot)).isDirectory()) return false;
        this.dirCache.set('', true);
      }
      for (const a of ancestorsOf(rel)) {
        if (this.dirCache.get(a) === true) continue;
        const s = lstatSync(fsPath(this.src(a)));
        if (!s.isDirectory() || !this.existingDirSync(a, s.mode)) return false;
        this.dirCache.set(a, true);
      }
      return true;
    } catch {
      return false;
    }
  }

  /** The cached verdict for `rel`, or a check started now (its settled verdict replaces it). */
  private ensureDir(rel: string): boolean | Promise<boolean> {
    const cached = this.dirCache.get(rel);
    if (cached !== undefined) return cached;
    const p = this.checkDir(rel);
    this.dirCache.set(rel, p);
    p.then(
      (ok) => {
        if (this.dirCache.get(rel) === p) this.dirCache.set(rel, ok);
      },
      // A failure must not stick: the retry has to try again.
      () => {
        if (this.dirCache.get(rel) === p) this.dirCache.delete(rel);
      },
    );
    return p;
  }

  private async checkDir(rel: string): Promise<boolean> {
    if (rel === '') {
      // The roots themselves may be symlinks (configured that way): follow them.
      try {
        // Synchronous: one local metadata syscall per batch, not worth a threadpool round trip.
        const st = statSync(fsPath(this.o.dstRoot));
        if (st.isDirectory()) return true;
      } catch (err) {
        if (!isGone(err)) throw targetError('stat', this.o.dstRoot, err);
      }
      try {
        await mkdir(fsPath(this.o.dstRoot), { recursive: true });
      } catch (err) {
        throw targetError('mkdir', this.o.dstRoot, err);
      }
      return true;
    }
    const s = await this.sourceStat(rel);
    if (s === undefined || !s.isDirectory()) return false; // stale: a later event covers it
    if (this.existingDirSync(rel, Number(s.mode))) return true;
    await this.placeDir(rel, s);
    return true;
  }

  /**
   * An ancestor that is already a directory on the target is taken as it is: its own mode,
   * owner and times travel with its Attrib/Create events, and finishBatch restores the times of
   * directories written into. Re-applying them for every ancestor of every change cost several
   * threadpool round trips per level (direct-mode latency of nested paths, issue 4). One
   * synchronous lstat; false (the caller places it fully) when it is missing or not a
   * directory, or when without root its mode (the source's, or the target's own if it drifted)
   * would need opening up (keepWritable).
   */
  private existingDirSync(rel: string, sourceMode: number): boolean {
    const privileged = this.o.privileged ?? this.o.owner;
    if (!privileged && (sourceMode & 0o300) !== 0o300) return false;
    const d = this.dst(rel);
    try {
      const t = lstatSync(fsPath(d));
      return t.isDirectory() && (privileged || (t.mode & 0o300) === 0o300);
    } catch (err) {
      if (isGone(err)) return false;
      throw targetError('lstat', d, err);
    }
  }

  /** Makes the target entry at `rel` a directory with the attributes of `s` (mkdir / replace non-dir). */
  private async placeDir(rel: string, s: BigIntStats): Promise<void> {
    const d = this.dst(rel);
    let t: BigIntStats | undefined;
    try {
      t = await lstatOrUndefined(d);
    } catch (err) {
      throw targetError('lstat', d, err);
    }
    if (t !== undefined && !t.isDirectory()) {
      try {
        await unlink(fsPath(d));
      } catch (err) {
        if (!isGone(err)) throw targetError('unlink', d, err);
      }
      t = undefined;
    }
    if (t === undefined) {
      try {
        await mkdir(fsPath(d), { mode: Number(s.mode) & 0o7777 });
      } catch (err) {
        if (errnoOf(err) !== 'EEXIST') throw targetError('mkdir', d, err);
      }
      this.touch(parentOf(rel));
    }
    await applyAttrs(d, s, this.attrs);
    await this.keepWritable(rel, Number(s.mode) & 0o7777);
    if (rel !== '') this.dirCache.set(rel, true);
  }

  /**
   * Without root, a target directory whose (copied) mode lacks u+w or u+x cannot be written into:
   * like rsync, open it up to u+wx while the batch runs and restore the exact mode at its end.
   */
  private async keepWritable(rel: string, mode: number): Promise<void> {
    if ((this.o.privileged ?? this.o.owner) || (mode & 0o300) === 0o300) return;
    if (!this.lockedModes.has(rel)) this.lockedModes.set(rel, mode);
    try {
      await chmod(fsPath(this.dst(rel)), mode | 0o300);
    } catch (err) {
      throw targetError('chmod u+wx', this.dst(rel), err);
    }
  }

  private async sourceStat(rel: string): Promise<BigIntStats | undefined> {
    try {
      // The source root may be a symlink (configured that way): follow it, and only it.
      // Synchronous: the source is a local, inotify-watched tree, so an lstat takes microseconds —
      // cheaper than the threadpool round trip it used to cost on every delay-0 change.
      return rel === '' ? statSync(fsPath(this.o.srcRoot), { bigint: true }) : lstatSync(fsPath(this.src(rel)), { bigint: true });
    } catch (err) {
      if (isGone(err)) return undefined;
      const code = errnoOf(err);
      if (code === undefined) throw err;
      this.log.warn(`direct: cannot read source ${show(this.src(rel))}: ${code}; skipped`);
      return undefined;
    }
  }

  private touch(relDir: string): void {
    this.touched.add(relDir);
  }

  /**
   * End of a batch: copies the source directories' times onto the target directories we wrote
   * into, and gives directories opened up for writing their exact mode back.
   */
  async finishBatch(): Promise<void> {
    const dirs = [...this.touched];
    this.touched.clear();
    await forEachLimit(dirs, 8, async (rel) => {
      const s = await this.sourceStat(rel).catch(() => undefined);
      if (s === undefined || !s.isDirectory()) return;
      const t = await lstatOrUndefined(this.dst(rel)).catch(() => undefined);
      if (t === undefined || !t.isDirectory()) return;
      await applyTimes(this.dst(rel), s, this.attrs).catch(() => undefined);
    });
    const locked = [...this.lockedModes];
    this.lockedModes.clear();
    for (const [rel, mode] of locked) await chmod(fsPath(this.dst(rel)), mode).catch(() => undefined);
  }

  /** Removes a target entry in the way of a non-directory; a non-empty directory only when deleting. */
  private readonly makeWay: MakeWay = async (dstBs, st) => {
    const p = fsPath(dstBs);
    this.invalidate();
    if (!st.isDirectory()) {
      await unlink(p).catch((err: unknown) => {
        if (!isGone(err)) throw targetError('unlink', dstBs, err);
      });
      return true;
    }
    try {
      await rmdir(p);
      return true;
    } catch (err) {
      const code = errnoOf(err);
      if (code === 'ENOENT') return true;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw targetError('rmdir', dstBs, err);
    }
    if (!this.o.deleteWhileRunning) {
      this.log.warn(`direct: kept non-empty directory ${show(dstBs)} where the source now has a non-directory (delete mode does not allow deleting while running)`);
      return false;
    }
    await this.rmTree(dstBs);
    return true;
  };

  private async rmTree(dstBs: string): Promise<void> {
    try {
      await rm(fsPath(dstBs), { recursive: true, force: true });
      return;
    } catch (err) {
      const code = errnoOf(err);
      if ((this.o.privileged ?? this.o.owner) || (code !== 'EACCES' && code !== 'EPERM')) throw targetError('rm -r', dstBs, err);
    }
    // Without root, read-only directories inside the tree block `rm -r`: open them up first.
    await openUpTree(dstBs).catch(() => undefined);
    try {
      await rm(fsPath(dstBs), { recursive: true, force: true });
    } catch (err) {
      throw targetError('rm -r', dstBs, err);
    }
  }

  // ---------------------------------------------------------------- Create / Modify

  /** Makes the target entry at `rel` match the source (see header). */
  async syncEntry(rel: string, subtree: boolean): Promise<void> {
    if (rel === '') {
      if (!(await this.ensureParents(''))) return;
      const s = await this.sourceStat('');
      if (s !== undefined) await applyAttrs(this.o.dstRoot, s, this.attrs);
      if (subtree) await this.copyTree('');
      return;
    }
    if (!(await this.ensureParents(rel))) return;
    for (let attempt = 0; attempt < 3; attempt++) {
      const s = await this.sourceStat(rel);
      if (s === undefined) return;
      const r = await this.placeEntry(rel, s, subtree);
      if (r !== 'changed') return;
    }
  }

  /** Places one entry of the source's type; 'changed' when the source changed type meanwhile. */
  private async placeEntry(rel: string, s: BigIntStats, subtree: boolean): Promise<'done' | 'changed'> {
    const type = typeOf(s);
    if (type === 'dir') {
      await this.placeDir(rel, s);
      if (subtree) await this.copyTree(rel);
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

  /**
   * Copies the source subtree below the directory `rel` (already placed) onto the target.
   * Iterative (deep trees do not grow the stack); directory times are set after their contents.
   */
  private async copyTree(rel: string): Promise<void> {
    const stack = [rel];
    const done: { rel: string; st: BigIntStats }[] = [];
    const conc = this.o.treeConcurrency ?? 16;
    while (stack.length > 0) {
      if (this.signal?.aborted === true) throw new DirectOpError('copy of subtree', this.dst(rel), 'aborted (shutdown)');
      const dir = stack.pop()!;
      let names: Buffer[];
      try {
        names = await readdir(fsPath(this.src(dir)), { encoding: 'buffer' });
      } catch (err) {
        if (isGone(err)) continue;
        const code = errnoOf(err);
        if (code === undefined) throw err;
        this.log.warn(`direct: cannot read source directory ${show(this.src(dir))}: ${code}; skipped`);
        continue;
      }
      const present = new Set<string>();
      const files: { rel: string; st: BigIntStats }[] = [];
      const stats: (BigIntStats | undefined)[] = new Array<BigIntStats | undefined>(names.length);
      await forEachLimit(names.map((_, i) => i), conc, async (i) => {
        stats[i] = await this.sourceStat(`${dir}/${names[i]!.toString('latin1')}`);
      });
      for (let i = 0; i < names.length; i++) {
        const s = stats[i];
        if (s === undefined) continue;
        const name = names[i]!.toString('latin1');
        const child = `${dir}/${name}`;
        const isDir = s.isDirectory();
        if (this.excluded(child, isDir)) continue;
        present.add(name);
        if (isDir) {
          await this.placeDir(child, s);
          done.push({ rel: child, st: s });
          stack.push(child);
        } else files.push({ rel: child, st: s });
      }
      await forEachLimit(files, conc, async (f) => {
        if (f.st.isFile() && (await this.upToDate(f.rel, f.st))) return;
        if ((await this.placeEntry(f.rel, f.st, false)) === 'changed') await this.syncEntry(f.rel, false);
      });
      if (this.o.deleteWhileRunning) await this.pruneExtra(dir, present);
    }
    for (let i = done.length - 1; i >= 0; i--) await applyTimes(this.dst(done[i]!.rel), done[i]!.st, this.attrs);
  }

  /** rsync's quick check, for subtree copies only: a regular target file of the same size and mtime (µs). */
  private async upToDate(rel: string, s: BigIntStats): Promise<boolean> {
    const t = await lstatOrUndefined(this.dst(rel)).catch(() => undefined);
    if (t === undefined || !t.isFile() || t.size !== s.size) return false;
    const diff = t.mtimeNs - s.mtimeNs;
    return diff > -2000n && diff < 2000n;
  }

  /** Removes target entries of `dir` that the source does not have (and that are not excluded). */
  private async pruneExtra(dir: string, present: ReadonlySet<string>): Promise<void> {
    let entries: import('node:fs').Dirent<Buffer>[];
    try {
      entries = await readdir(fsPath(this.dst(dir)), { encoding: 'buffer', withFileTypes: true });
    } catch (err) {
      if (isGone(err)) return;
      throw targetError('readdir', this.dst(dir), err);
    }
    for (const e of entries) {
      const name = e.name.toString('latin1');
      if (present.has(name)) continue;
      const child = `${dir}/${name}`;
      if (!name.startsWith(TEMP_PREFIX) && this.excluded(child, e.isDirectory())) continue;
      await this.rmTree(this.dst(child));
      this.touch(dir);
    }
  }

  // ---------------------------------------------------------------- Attrib

  async attrib(rel: string): Promise<void> {
    if (!(await this.ensureParents(rel))) return;
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
    if (s.isDirectory() && rel !== '') await this.keepWritable(rel, Number(s.mode) & 0o7777);
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
      if (pt !== undefined) await this.keepWritable(parent, Number(pt.mode) & 0o7777);
    }
    this.invalidate();
    await this.rmTree(abs);
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
    if (!(await this.ensureParents(to))) {
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
        await this.rmTree(this.dst(to));
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

/** chmod u+rwx on every directory of a tree we own (iterative), so that `rm -r` can empty them. */
async function openUpTree(rootBs: string): Promise<void> {
  const stack = [rootBs];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    const st = await lstat(fsPath(dir));
    if (!st.isDirectory()) continue;
    await chmod(fsPath(dir), (st.mode & 0o7777) | 0o700);
    for (const e of await readdir(fsPath(dir), { encoding: 'buffer', withFileTypes: true })) {
      if (e.isDirectory()) stack.push(`${dir}/${e.name.toString('latin1')}`);
    }
  }
}

/** safeDeletePath returns an absolute SyncPath; back to a byte string. */
function absByteString(p: string | Buffer): string {
  return typeof p === 'string' ? Buffer.from(p, 'utf8').toString('latin1') : p.toString('latin1');
}
