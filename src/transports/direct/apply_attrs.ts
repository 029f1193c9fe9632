/**
 * Copies a source entry's attributes onto a target entry: owner/group (only when running as
 * root, like `cp -p`/rsync -o -g without privileges), mode (permission bits incl. setuid/setgid/
 * sticky; not for symlinks — Linux has no lchmod and a link's mode is meaningless), then access
 * and modification times (lutimes for symlinks: never follow).
 *
 * Why: lsyncd's direct mode drops Attrib events (docs/lsyncd-compat.md#direct-mode-operations "chmod/chown/touch are
 * not propagated"); here mode, owner and times are propagated.
 *
 * Order matters: chown first (it clears setuid/setgid bits), then chmod, then times (chmod does
 * not touch mtime, but anything written later would). Times are set with microsecond precision
 * (Node passes seconds as a double); rsync's quick check compares whole seconds, so a later full
 * rsync does not re-send files we copied.
 *
 * Attribute failures a file system may not support (vfat owners, …) are reported through
 * `onUnsupported` and do not fail the operation (rsync: partial transfer, exit 23 = ok); other
 * errors propagate.
 */
import type { BigIntStats } from 'node:fs';
import { fchmodSync, fchownSync, futimesSync } from 'node:fs';
import { chmod, lchown, lutimes } from 'node:fs/promises';
import { fsPath } from './target_paths.js';
import { isUnsupportedAttr, targetError } from './fs_errors.js';

export interface AttrOptions {
  /** Preserve uid/gid (root only). */
  readonly owner: boolean;
  /** Called once per unsupported attribute failure (to log it). */
  readonly onUnsupported?: (what: string, pathBs: string, code: string) => void;
}

/** Whether we run as root now (asked when a transport is created, not when this module loads). */
export function runningAsRoot(): boolean {
  return typeof process.geteuid === 'function' && process.geteuid() === 0;
}

/** Seconds as a double, the form fs.utimes takes (µs precision). */
export function secondsOf(ns: bigint): number {
  return Number(ns / 1000n) / 1e6;
}

async function tolerant(what: string, pathBs: string, opts: AttrOptions, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (isUnsupportedAttr(err)) {
      opts.onUnsupported?.(what, pathBs, (err as NodeJS.ErrnoException).code ?? 'error');
      return;
    }
    throw targetError(what, pathBs, err);
  }
}

/** Applies owner (root), mode (not for symlinks) and times of `st` to the target `pathBs`. */
export async function applyAttrs(pathBs: string, st: BigIntStats, opts: AttrOptions): Promise<void> {
  const p = fsPath(pathBs);
  const isLink = st.isSymbolicLink();
  if (opts.owner) await tolerant('chown', pathBs, opts, () => lchown(p, Number(st.uid), Number(st.gid)));
  if (!isLink) await tolerant('chmod', pathBs, opts, () => chmod(p, Number(st.mode) & 0o7777));
  await applyTimes(pathBs, st, opts);
}

/** Access and modification times only (lutimes: a symlink's own times, never its target's). */
export async function applyTimes(pathBs: string, st: BigIntStats, opts: AttrOptions): Promise<void> {
  await tolerant('utimes', pathBs, opts, () => lutimes(fsPath(pathBs), secondsOf(st.atimeNs), secondsOf(st.mtimeNs)));
}

function tolerantSync(what: string, pathBs: string, opts: AttrOptions, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (isUnsupportedAttr(err)) {
      opts.onUnsupported?.(what, pathBs, (err as NodeJS.ErrnoException).code ?? 'error');
      return;
    }
    throw targetError(what, pathBs, err);
  }
}

/**
 * applyAttrs, synchronously, on an open descriptor of a regular file we just wrote (fchown,
 * fchmod, futimens; same order and error handling): three metadata syscalls of a few µs beat
 * three threadpool round trips, and no path lookups. `pathBs` names the file in errors.
 */
export function applyAttrsToFdSync(fd: number, pathBs: string, st: BigIntStats, opts: AttrOptions): void {
  if (opts.owner) tolerantSync('chown', pathBs, opts, () => fchownSync(fd, Number(st.uid), Number(st.gid)));
  tolerantSync('chmod', pathBs, opts, () => fchmodSync(fd, Number(st.mode) & 0o7777));
  tolerantSync('utimes', pathBs, opts, () => futimesSync(fd, secondsOf(st.atimeNs), secondsOf(st.mtimeNs)));
}
