// The three inotify sysctls (inotify(7), /proc interfaces) and reading their current values.
//
//  - fs.inotify.max_user_watches: watches per user (lsyncd-ts watches one per directory,
//    docs/lsyncd-compat.md#watches-and-inotifymode; exceeding it is ENOSPC → lsyncd exits, docs/lsyncd-compat.md#watches-and-inotifymode/docs/lsyncd-compat.md#signals-and-exit-codes).
//  - fs.inotify.max_user_instances: inotify instances (inotify_init) per user.
//  - fs.inotify.max_queued_events: per-instance kernel queue; when it fills the kernel drops
//    events and sends IN_Q_OVERFLOW, which costs lsyncd a full restart + rescan + rsync (docs/lsyncd-compat.md#queue-overflow,
//    lsyncd issues #343/#315).
// A value that cannot be read (no /proc, permission) is `undefined`, never a guess.
import { readFileSync } from 'node:fs';
import { type SystemRoot, systemPath } from './proc_root.js';

export type InotifyLimitName = 'max_user_watches' | 'max_user_instances' | 'max_queued_events';

export const INOTIFY_LIMIT_NAMES: readonly InotifyLimitName[] = ['max_user_watches', 'max_user_instances', 'max_queued_events'];

export type InotifyLimits = Record<InotifyLimitName, number | undefined>;

/** "fs.inotify.max_user_watches" for a limit name. */
export function sysctlKey(name: InotifyLimitName): string {
  return `fs.inotify.${name}`;
}

/** /proc/sys/fs/inotify/<name> under the root. */
export function procSysFile(root: SystemRoot, name: InotifyLimitName): string {
  return systemPath(root, `/proc/sys/fs/inotify/${name}`);
}

export function readInotifyLimits(root: SystemRoot): InotifyLimits {
  const read = (name: InotifyLimitName): number | undefined => {
    try {
      const v = Number.parseInt(readFileSync(procSysFile(root, name), 'utf8').trim(), 10);
      return Number.isFinite(v) ? v : undefined;
    } catch {
      return undefined;
    }
  };
  return { max_user_watches: read('max_user_watches'), max_user_instances: read('max_user_instances'), max_queued_events: read('max_queued_events') };
}
