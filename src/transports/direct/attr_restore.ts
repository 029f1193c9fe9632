/**
 * Directory attributes that a batch's own writes disturb, restored at the batch's end.
 *
 * Contract:
 *  - Times: creating, renaming or removing an entry changes its target directory's mtime. Every
 *    operation that writes into a target directory records it (BatchState.touch); finishBatch
 *    copies the source directory's times onto each recorded target directory that is still a
 *    directory on both sides. Restoring once per batch, not per write, keeps the per-event path
 *    free of extra syscalls.
 *  - Modes: without root, a target directory whose (copied) mode lacks u+w or u+x cannot be
 *    written into. keepWritable opens it up to u+wx for the rest of the batch and remembers the
 *    exact mode it should have; finishBatch gives it that mode back (rsync does the same). As
 *    root (`privileged`) permission bits do not stop us, so nothing is opened up.
 *  - Ownership: the touched set and the opened-up modes belong to one BatchState (one batch);
 *    finishBatch empties both. finishBatch never throws: an entry gone or changed meanwhile is
 *    skipped, its own events repair it.
 */
import { chmod } from 'node:fs/promises';
import { applyTimes } from './apply_attrs.js';
import { type BatchState, lstatOrUndefined } from './batch_state.js';
import { forEachLimit } from './for_each_limit.js';
import { targetError } from './fs_errors.js';
import { fsPath } from './target_paths.js';

/** Opens the target directory `rel` up to u+wx until the batch ends, when `mode` lacks them and we are not root. */
export async function keepWritable(b: BatchState, rel: string, mode: number): Promise<void> {
  if ((b.o.privileged ?? b.o.owner) || (mode & 0o300) === 0o300) return;
  if (!b.lockedModes.has(rel)) b.lockedModes.set(rel, mode);
  try {
    await chmod(fsPath(b.dst(rel)), mode | 0o300);
  } catch (err) {
    throw targetError('chmod u+wx', b.dst(rel), err);
  }
}

/**
 * End of a batch: copies the source directories' times onto the target directories we wrote
 * into, and gives directories opened up for writing their exact mode back.
 */
export async function finishBatch(b: BatchState): Promise<void> {
  const dirs = [...b.touched];
  b.touched.clear();
  await forEachLimit(dirs, 8, async (rel) => {
    const s = await b.sourceStat(rel).catch(() => undefined);
    if (s === undefined || !s.isDirectory()) return;
    const t = await lstatOrUndefined(b.dst(rel)).catch(() => undefined);
    if (t === undefined || !t.isDirectory()) return;
    await applyTimes(b.dst(rel), s, b.attrs).catch(() => undefined);
  });
  const locked = [...b.lockedModes];
  b.lockedModes.clear();
  for (const [rel, mode] of locked) await chmod(fsPath(b.dst(rel)), mode).catch(() => undefined);
}
