/**
 * Atomic placement of files and symlinks on the target.
 *
 * Contract:
 *  - A file is copied to a temp name in the SAME directory (`.lsyncd-ts.<name>.<hex>`,
 *    target_paths.ts tempSibling), gets owner (root), mode and times, and is then rename(2)d over
 *    the final name. A reader of the target therefore sees either the previous entry or the
 *    complete new file, never a half-written one. lsyncd's direct mode runs `cp -p SRC TGT/dir/`
 *    (docs/lsyncd-compat.md#direct-mode-operations), which truncates and rewrites the live file in place.
 *  - The source is opened with O_NOFOLLOW and checked with fstat on the open descriptor: what is
 *    copied, and whose mode/times are applied, is exactly the regular file that was opened — a
 *    symlink or FIFO swapped in meanwhile is never followed or read (a FIFO would hang `cp`).
 *    The data is copied by fs.copyFile from /proc/self/fd/N (copy_file_range / FICLONE reflink
 *    where the file system supports it, streamed in the kernel otherwise — no user-space buffer
 *    of the whole file).
 *  - A symlink is recreated with the same target bytes (readlink, never followed) under a temp
 *    name and renamed over the final name.
 *  - If the final name is a directory (type change, lsyncd issue #290) the caller's `makeWay`
 *    decides whether it may be removed (delete mode); if not, the temp entry is removed and the
 *    result is 'kept'.
 *  - Reading the source updates its atime (relatime) exactly as `cp -p` and rsync do; the target
 *    gets the atime fstat reported before the copy.
 *  - On every failure the temp entry is unlinked; no temp file is left behind by a failed op.
 *  - Small files (≤ SYNC_COPY_MAX bytes, the common single-file change) are copied with
 *    synchronous calls, because on a local file system each takes microseconds while every
 *    asynchronous call is a libuv threadpool round trip: read once from the open descriptor,
 *    written to the temp file created O_EXCL, owner/mode/times set on its descriptor, then
 *    renamed (no /proc/self/fd reopen, no reflink probe, no path lookups for the attributes). A
 *    file that grew past its fstat size while being read takes the asynchronous copyFile path
 *    instead. Larger files keep the asynchronous path so a big copy never blocks the event loop.
 *  - A larger file with holes (sparse_copy.ts isSparse) is copied block by block with its
 *    all-zero blocks left as holes, so a sparse file stays sparse on the target (cp and rsync -S
 *    keep holes too; copyFile would allocate every zero).
 */
import { type BigIntStats, closeSync, constants, fstatSync, openSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { copyFile, lstat, readlink, rename, symlink, unlink } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { applyAttrs, applyAttrsToFdSync, type AttrOptions } from './apply_attrs.js';
import { fsPath, tempSibling } from './target_paths.js';
import { errnoOf, isGone, targetError } from './fs_errors.js';
import { copySparse, isSparse, type SparseCopyResult } from './sparse_copy.js';

/** Removes whatever (directory) stands at `dstBs` so a non-directory can take its place; false = refused. */
export type MakeWay = (dstBs: string, st: BigIntStats) => Promise<boolean>;

export type PlaceResult =
  | { readonly kind: 'placed'; readonly bytes: number }
  /** The source entry is gone (its Delete is queued) — nothing done. */
  | { readonly kind: 'gone' }
  /** The source is no longer a regular file (re-dispatch on its current type). */
  | { readonly kind: 'changed' }
  /** The source cannot be read (EACCES…): skipped, like rsync's partial transfer (code 23). */
  | { readonly kind: 'unreadable'; readonly code: string }
  /** The target directory in the way may not be removed (delete mode). */
  | { readonly kind: 'kept' };

const HAVE_PROC_FD = existsSync('/proc/self/fd');
const OPEN_SOURCE = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
/** The temp sibling: created here, never an existing entry (same as COPYFILE_EXCL). */
const OPEN_TEMP = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;
/** Files up to this size are copied with synchronous calls (see header). */
export const SYNC_COPY_MAX = 64 * 1024;

async function discard(tmpBs: string): Promise<void> {
  try {
    await unlink(fsPath(tmpBs));
  } catch {
    // already gone
  }
}

/**
 * rename(tmp, dst); when a directory is in the way, ask `makeWay` and retry once.
 * Returns false when the directory was kept (tmp removed).
 */
export async function placeOver(tmpBs: string, dstBs: string, makeWay: MakeWay): Promise<boolean> {
  try {
    await rename(fsPath(tmpBs), fsPath(dstBs));
    return true;
  } catch (err) {
    const code = errnoOf(err);
    if (code !== 'EISDIR' && code !== 'ENOTEMPTY' && code !== 'EEXIST') throw targetError('rename', dstBs, err);
  }
  const st = await lstat(fsPath(dstBs), { bigint: true });
  if (!(await makeWay(dstBs, st))) return false;
  try {
    await rename(fsPath(tmpBs), fsPath(dstBs));
  } catch (err) {
    throw targetError('rename', dstBs, err);
  }
  return true;
}

/** Copies the regular file `srcBs` to `dstBs` via a temp sibling + rename. */
export async function copyFileAtomic(srcBs: string, dstBs: string, attrs: AttrOptions, makeWay: MakeWay): Promise<PlaceResult> {
  // open + fstat of a local source are single non-blocking syscalls (O_NONBLOCK: a FIFO swapped
  // in does not hang the open); done synchronously, they decide which copy path to take.
  let fd: number;
  try {
    fd = openSync(fsPath(srcBs), OPEN_SOURCE);
  } catch (err) {
    if (isGone(err)) return { kind: 'gone' };
    const code = errnoOf(err);
    if (code === 'ELOOP' || code === 'ENXIO') return { kind: 'changed' };
    if (code === undefined) throw err;
    return { kind: 'unreadable', code };
  }
  const tmpBs = tempSibling(dstBs);
  let created = false;
  try {
    const st = fstatSync(fd, { bigint: true });
    if (!st.isFile()) return { kind: 'changed' };
    const from = HAVE_PROC_FD ? `/proc/self/fd/${fd}` : fsPath(srcBs);
    const mode = constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE;
    let data: Buffer | undefined;
    let copied: number | undefined;
    if (st.size <= BigInt(SYNC_COPY_MAX)) {
      try {
        data = readSmallSync(fd, Number(st.size));
      } catch (err) {
        const code = errnoOf(err);
        if (code === undefined) throw err;
        return { kind: 'unreadable', code };
      }
    }
    if (data !== undefined) {
      created = true;
      writeSmallSync(tmpBs, dstBs, data, st, attrs);
      if (!placeOverFast(tmpBs, dstBs) && !(await placeOver(tmpBs, dstBs, makeWay))) {
        discardSync(tmpBs);
        return { kind: 'kept' };
      }
    } else {
      // a large file, or a small one that grew while being read; holes stay holes
      if (isSparse(st)) {
        let r: SparseCopyResult;
        try {
          created = true;
          r = await copySparse(fd, fsPath(tmpBs), Number(st.mode));
        } catch (err) {
          throw targetError('copy to', dstBs, err);
        }
        if ('sourceError' in r) {
          const code = errnoOf(r.sourceError);
          if (code === undefined) throw r.sourceError;
          await discard(tmpBs);
          created = false;
          return { kind: 'unreadable', code };
        }
        copied = r.bytes;
      } else {
        try {
          created = true;
          await copyFile(from, fsPath(tmpBs), mode);
        } catch (err) {
          throw targetError('copy to', dstBs, err);
        }
      }
      await applyAttrs(tmpBs, st, attrs);
      if (!(await placeOver(tmpBs, dstBs, makeWay))) {
        await discard(tmpBs);
        return { kind: 'kept' };
      }
    }
    created = false;
    return { kind: 'placed', bytes: data?.length ?? copied ?? Number(st.size) };
  } catch (err) {
    if (created) await discard(tmpBs);
    throw err;
  } finally {
    try {
      closeSync(fd);
    } catch {
      // nothing to do
    }
  }
}

/**
 * The whole content of the open source file of fstat size `size`; undefined when it has grown
 * past that size meanwhile (the caller copies it with copyFile then). Read errors are thrown
 * as they are: the caller reports them as the source's, not the target's.
 */
function readSmallSync(fd: number, size: number): Buffer | undefined {
  const buf = Buffer.allocUnsafe(size + 1);
  let got = 0;
  for (;;) {
    const n = readSync(fd, buf, got, buf.length - got, got);
    if (n === 0) return buf.subarray(0, got);
    got += n;
    if (got > size) return undefined;
  }
}

/** Creates the temp file `tmpBs` (O_EXCL) with `data` and the attributes of `st`. */
function writeSmallSync(tmpBs: string, dstBs: string, data: Buffer, st: BigIntStats, attrs: AttrOptions): void {
  let out: number;
  try {
    // Created with the source's permission bits (less the umask) so that a target refusing the
    // exact fchmod below keeps a sensible mode, as copyFile's does.
    out = openSync(fsPath(tmpBs), OPEN_TEMP, Number(st.mode) & 0o777);
  } catch (err) {
    throw targetError('copy to', dstBs, err);
  }
  try {
    try {
      for (let off = 0; off < data.length; ) off += writeSync(out, data, off, data.length - off);
    } catch (err) {
      throw targetError('copy to', dstBs, err);
    }
    applyAttrsToFdSync(out, tmpBs, st, attrs);
  } finally {
    closeSync(out);
  }
}

function discardSync(tmpBs: string): void {
  try {
    unlinkSync(fsPath(tmpBs));
  } catch {
    // already gone
  }
}

/**
 * The synchronous first attempt of placeOver: true when renamed; false when a directory is in
 * the way (the caller goes through placeOver, which asks makeWay and retries).
 */
function placeOverFast(tmpBs: string, dstBs: string): boolean {
  try {
    renameSync(fsPath(tmpBs), fsPath(dstBs));
    return true;
  } catch (err) {
    const code = errnoOf(err);
    if (code !== 'EISDIR' && code !== 'ENOTEMPTY' && code !== 'EEXIST') throw targetError('rename', dstBs, err);
    return false;
  }
}

/** Recreates the symlink `srcBs` (same target bytes, never followed) at `dstBs`. */
export async function copySymlinkAtomic(srcBs: string, dstBs: string, st: BigIntStats, attrs: AttrOptions, makeWay: MakeWay): Promise<PlaceResult> {
  let target: Buffer;
  try {
    target = await readlink(fsPath(srcBs), { encoding: 'buffer' });
  } catch (err) {
    if (isGone(err)) return { kind: 'gone' };
    if (errnoOf(err) === 'EINVAL') return { kind: 'changed' }; // no longer a symlink
    throw err;
  }
  const tmpBs = tempSibling(dstBs);
  try {
    await symlink(target, fsPath(tmpBs));
  } catch (err) {
    throw targetError('symlink', dstBs, err);
  }
  try {
    await applyAttrs(tmpBs, st, attrs);
    if (!(await placeOver(tmpBs, dstBs, makeWay))) {
      await discard(tmpBs);
      return { kind: 'kept' };
    }
  } catch (err) {
    await discard(tmpBs);
    throw err;
  }
  return { kind: 'placed', bytes: target.length };
}
