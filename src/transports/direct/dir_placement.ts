/**
 * Placing a directory on the target: the target entry at `rel` becomes a directory with the
 * source directory's mode, owner (root) and times.
 *
 * Contract:
 *  - Input: `s`, the source directory's lstat, taken by the caller (ancestor_check.ts for an
 *    ancestor, direct_ops.ts for a Create, tree_copy.ts for each directory of a subtree).
 *  - A non-directory in the way (file, symlink left from an earlier state) is unlinked: it is
 *    stale target content, and replacing it is what makes the path safe to write below.
 *  - A missing directory is created with the source's mode; a directory already there keeps its
 *    contents and gets the source's attributes.
 *  - Without root, a mode lacking u+wx is opened up until the batch ends (attr_restore.ts).
 *  - A new directory touches its parent (its times are restored at the batch's end), and the
 *    directory's verdict in the batch's cache becomes "ready" (ancestor_check.ts).
 *  - Target errno failures throw DirectOpError (the batch is retried).
 */
import type { BigIntStats } from 'node:fs';
import { mkdir, unlink } from 'node:fs/promises';
import { applyAttrs } from './apply_attrs.js';
import { keepWritable } from './attr_restore.js';
import { type BatchState, lstatOrUndefined } from './batch_state.js';
import { errnoOf, isGone, targetError } from './fs_errors.js';
import { fsPath, parentOf } from './target_paths.js';

/** Makes the target entry at `rel` a directory with the attributes of `s` (mkdir / replace non-dir). */
export async function placeDir(b: BatchState, rel: string, s: BigIntStats): Promise<void> {
  const d = b.dst(rel);
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
    b.touch(parentOf(rel));
  }
  await applyAttrs(d, s, b.attrs);
  await keepWritable(b, rel, Number(s.mode) & 0o7777);
  if (rel !== '') b.dirCache.set(rel, true);
}
