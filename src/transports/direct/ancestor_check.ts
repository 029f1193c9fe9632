/**
 * Ancestor safety: nothing is written or removed below a target directory that is not a real
 * directory.
 *
 * Contract:
 *  - ensureParents(rel) → true when every ancestor of `rel` is a real directory on the source
 *    (lstat, never following a link) and is one on the target. A missing target ancestor, or a
 *    file or symlink in its place, is replaced by a directory with the source's attributes
 *    (dir_placement.ts). False when an ancestor is not a directory on the source: the event is
 *    stale and skipped, a later event covers it.
 *  - Why: a target symlink left from an earlier state (lsyncd#290: "quickly replacing a directory
 *    by a symlink deletes files on the target") would otherwise let a copy or an `rm -r` escape
 *    the target tree.
 *  - The roots themselves may be symlinks (configured that way) and are followed; a missing
 *    target root is created.
 *  - An ancestor that already is a directory on the target is taken as it is: its own mode,
 *    owner and times travel with its own Attrib/Create events, and attr_restore.ts restores the
 *    times of directories written into. So the common case (every level already there) costs one
 *    synchronous lstat per level on each side and no promise (parentsReadySync); only a level that
 *    needs work takes the asynchronous path.
 *  - Verdicts are cached in the batch (BatchState.dirCache), only for that batch, and dropped
 *    (BatchState.invalidate) whenever a directory is removed, replaced or moved. A check in
 *    flight is cached as its promise, so concurrent operations under one directory share it; a
 *    check that failed is not cached, so the batch's retry checks again.
 *  - Target errno failures throw DirectOpError (the batch is retried).
 */
import { lstatSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { BatchState } from './batch_state.js';
import { placeDir } from './dir_placement.js';
import { isGone, targetError } from './fs_errors.js';
import { ancestorsOf, fsPath } from './target_paths.js';

/** Every ancestor of `rel` is a real directory on the source and exists as one on the target. */
export async function ensureParents(b: BatchState, rel: string): Promise<boolean> {
  if (parentsReadySync(b, rel)) return true;
  if (!(await ensureDir(b, ''))) return false;
  for (const a of ancestorsOf(rel)) if (!(await ensureDir(b, a))) return false;
  return true;
}

/**
 * The common case of ensureParents without promises: the target root and every ancestor are
 * already directories (each level checked on both sides, lstat, never following a link), so
 * nothing needs placing. False at the first level that needs work or any error — the caller
 * then takes the full path, which places, reports and retries. Verified levels go into the
 * verdict cache like the full path's.
 */
function parentsReadySync(b: BatchState, rel: string): boolean {
  try {
    if (b.dirCache.get('') !== true) {
      if (!statSync(fsPath(b.o.dstRoot)).isDirectory()) return false;
      b.dirCache.set('', true);
    }
    for (const a of ancestorsOf(rel)) {
      if (b.dirCache.get(a) === true) continue;
      const s = lstatSync(fsPath(b.src(a)));
      if (!s.isDirectory() || !existingDirSync(b, a, s.mode)) return false;
      b.dirCache.set(a, true);
    }
    return true;
  } catch {
    return false;
  }
}

/** The cached verdict for `rel`, or a check started now (its settled verdict replaces it). */
function ensureDir(b: BatchState, rel: string): boolean | Promise<boolean> {
  const cached = b.dirCache.get(rel);
  if (cached !== undefined) return cached;
  const p = checkDir(b, rel);
  b.dirCache.set(rel, p);
  p.then(
    (ok) => {
      if (b.dirCache.get(rel) === p) b.dirCache.set(rel, ok);
    },
    // A failure must not stick: the retry has to try again.
    () => {
      if (b.dirCache.get(rel) === p) b.dirCache.delete(rel);
    },
  );
  return p;
}

async function checkDir(b: BatchState, rel: string): Promise<boolean> {
  if (rel === '') {
    // The roots themselves may be symlinks (configured that way): follow them.
    try {
      // Synchronous: one local metadata syscall per batch, not worth a threadpool round trip.
      const st = statSync(fsPath(b.o.dstRoot));
      if (st.isDirectory()) return true;
    } catch (err) {
      if (!isGone(err)) throw targetError('stat', b.o.dstRoot, err);
    }
    try {
      await mkdir(fsPath(b.o.dstRoot), { recursive: true });
    } catch (err) {
      throw targetError('mkdir', b.o.dstRoot, err);
    }
    return true;
  }
  const s = await b.sourceStat(rel);
  if (s === undefined || !s.isDirectory()) return false; // stale: a later event covers it
  if (existingDirSync(b, rel, Number(s.mode))) return true;
  await placeDir(b, rel, s);
  return true;
}

/**
 * Whether the target entry at `rel` can be used as it is: a directory (one synchronous lstat,
 * never following a link) that, without root, we may write into. False — the caller places it
 * fully — when it is missing or not a directory, or when without root its mode (the source's,
 * or the target's own if it drifted) would need opening up (attr_restore.ts keepWritable).
 */
function existingDirSync(b: BatchState, rel: string, sourceMode: number): boolean {
  const privileged = b.o.privileged ?? b.o.owner;
  if (!privileged && (sourceMode & 0o300) !== 0o300) return false;
  const d = b.dst(rel);
  try {
    const t = lstatSync(fsPath(d));
    return t.isDirectory() && (privileged || (t.mode & 0o300) === 0o300);
  } catch (err) {
    if (isGone(err)) return false;
    throw targetError('lstat', d, err);
  }
}
