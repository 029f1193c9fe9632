/**
 * Errno handling of the direct transport.
 *
 * Contract (docs/lsyncd-compat.md#exit-codes-of-transfers): an operation that fails on the TARGET (EACCES,
 * ENOSPC, EIO, EROFS, EDQUOT, …) makes the batch `again` with a one-line reason naming the
 * operation, the path and the errno, so the runner retries with backoff. lsyncd's direct mode
 * ignores the exit codes of its cp/rm/mv entirely (docs/lsyncd-compat.md#direct-mode-operations, `direct.collect` returns nil), which is
 * how it silently loses files on a full disk.
 *
 * A source entry that vanished (ENOENT/ENOTDIR while reading the source) is not a failure: the
 * change that removed it is queued behind this one.
 */
import { show } from './target_paths.js';

/** A target-side failure; its message is the `again` reason. */
export class DirectOpError extends Error {
  constructor(
    readonly op: string,
    readonly pathBs: string,
    readonly code: string,
  ) {
    super(`direct: ${op} ${show(pathBs)}: ${code}`);
    this.name = 'DirectOpError';
  }
}

export function errnoOf(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const c = (err as { code: unknown }).code;
    if (typeof c === 'string') return c;
  }
  return undefined;
}

/** ENOENT / ENOTDIR: the entry (or one of its parents) is not there. */
export function isGone(err: unknown): boolean {
  const c = errnoOf(err);
  return c === 'ENOENT' || c === 'ENOTDIR';
}

/**
 * Attribute changes a file system may simply not support (vfat owners, chmod on some FUSE mounts):
 * rsync reports these as a partial transfer (code 23, `ok` in lsyncd's table), so they are logged,
 * not retried forever.
 */
export function isUnsupportedAttr(err: unknown): boolean {
  const c = errnoOf(err);
  return c === 'EPERM' || c === 'ENOTSUP' || c === 'EOPNOTSUPP' || c === 'EINVAL' || c === 'ENOSYS';
}

/** Wraps any errno error as a DirectOpError for `op` on `pathBs`; rethrows anything else. */
export function targetError(op: string, pathBs: string, err: unknown): DirectOpError {
  if (err instanceof DirectOpError) return err;
  const code = errnoOf(err);
  if (code === undefined) throw err;
  return new DirectOpError(op, pathBs, code);
}
