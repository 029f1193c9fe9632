/**
 * Removing target content that is in the way or that the source no longer has.
 *
 * Contract:
 *  - makeWay(dstBs, st): the target entry `st` at `dstBs` stands where the source now has a
 *    non-directory (a type change, lsyncd#290). A non-directory is unlinked: that is like
 *    overwriting a file and always allowed. An empty directory is removed. Removing a NON-EMPTY
 *    directory is a delete, so it only happens when deleting while running (delete_mode.ts);
 *    otherwise the directory is kept, a warning logged, and false returned (the caller drops its
 *    temp entry). Any removal drops the batch's directory verdicts (ancestor_check.ts).
 *  - rmTree(dstBs): `rm -r` of one target path. Without root, directories of the tree whose mode
 *    lacks u+rwx block it; then the tree is opened up (chmod u+rwx on its directories) and
 *    removed again, as rsync's --delete does for a tree it owns.
 *  - Callers decide WHAT may be removed (delete mode, delete_safety.ts, ancestors checked):
 *    these functions only carry it out. Target errno failures throw DirectOpError.
 */
import type { BigIntStats } from 'node:fs';
import { chmod, lstat, readdir, rm, rmdir, unlink } from 'node:fs/promises';
import type { BatchState } from './batch_state.js';
import { errnoOf, isGone, targetError } from './fs_errors.js';
import { fsPath, show } from './target_paths.js';

/** Removes a target entry in the way of a non-directory; a non-empty directory only when deleting. */
export async function makeWay(b: BatchState, dstBs: string, st: BigIntStats): Promise<boolean> {
  const p = fsPath(dstBs);
  b.invalidate();
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
  if (!b.o.deleteWhileRunning) {
    b.log.warn(`direct: kept non-empty directory ${show(dstBs)} where the source now has a non-directory (delete mode does not allow deleting while running)`);
    return false;
  }
  await rmTree(b, dstBs);
  return true;
}

/** `rm -r` of a target path; without root, read-only directories inside are opened up first. */
export async function rmTree(b: BatchState, dstBs: string): Promise<void> {
  try {
    await rm(fsPath(dstBs), { recursive: true, force: true });
    return;
  } catch (err) {
    const code = errnoOf(err);
    if ((b.o.privileged ?? b.o.owner) || (code !== 'EACCES' && code !== 'EPERM')) throw targetError('rm -r', dstBs, err);
  }
  // Without root, read-only directories inside the tree block `rm -r`: open them up first.
  await openUpTree(dstBs).catch(() => undefined);
  try {
    await rm(fsPath(dstBs), { recursive: true, force: true });
  } catch (err) {
    throw targetError('rm -r', dstBs, err);
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
