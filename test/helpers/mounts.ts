// Mounts for scenario tests that need a target the kernel refuses to write (tests run as root,
// and root ignores mode bits): a read-only bind mount of a directory over itself, and a small
// tmpfs that fills up. Needs root (mount(8)).
//
// Cleanup order matters: node:test runs t.after hooks first-registered first and stops at the
// first that throws, so a temp dir removed while still mounted (EROFS/EBUSY) would leave the
// mount behind. mountPoint(t) therefore makes the directory and registers ONE hook that first
// unmounts whatever this helper mounted there, then removes it. `unmount()` ends a mount
// earlier; it is idempotent.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';

export interface Mount {
  /** Unmounts now (the directory is as before: writable, its old content back for a tmpfs). */
  unmount(): void;
}

export interface MountPoint {
  readonly dir: string;
  /** Mounts still to undo, newest last. */
  readonly mounts: Mount[];
}

/** A temp directory to mount on, unmounted and removed when the test ends. */
export function mountPoint(t: TestContext): MountPoint {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lsyncd-ts-mnt-'));
  const mp: MountPoint = { dir, mounts: [] };
  t.after(() => {
    for (const m of mp.mounts.reverse()) m.unmount();
    rmSync(dir, { recursive: true, force: true });
  });
  return mp;
}

function track(mp: MountPoint): Mount {
  let done = false;
  const m: Mount = {
    unmount: () => {
      if (done) return;
      done = true;
      execFileSync('umount', ['-l', mp.dir]); // lazy: a process still inside (a failing test's rsync) cannot block it
    },
  };
  mp.mounts.push(m);
  return m;
}

/** Makes the mount point read-only in place (bind mount over itself, remounted ro). */
export function readOnlyBind(mp: MountPoint): Mount {
  execFileSync('mount', ['--bind', mp.dir, mp.dir]);
  const m = track(mp);
  execFileSync('mount', ['-o', 'remount,bind,ro', mp.dir]);
  return m;
}

/** Mounts a tmpfs of `size` (e.g. "1m") on the mount point. */
export function smallTmpfs(mp: MountPoint, size: string): Mount {
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mp.dir]);
  return track(mp);
}
