// errno from the watcher -> one-line messages that name the fix. ENOSPC from inotify_add_watch
// means the per-user watch limit, not a full disk: glibc's "No space left on device" misleads
// (elastic/kibana #289941), so we say which sysctl to raise and how. The overflow advice names
// the queue size sysctl the same way.
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';

const E = constants.errno;

function sysctl(name: string): string {
  try {
    return readFileSync(`/proc/sys/fs/inotify/${name}`, 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

export function watchErrorMessage(errno: number, path: string): string {
  switch (errno) {
    case E.ENOSPC:
      return (
        `cannot watch ${path}: inotify watch limit reached (fs.inotify.max_user_watches = ` +
        `${sysctl('max_user_watches')}); raise it with \`lsyncd-ts sysctl --apply\` ` +
        `or \`sysctl -w fs.inotify.max_user_watches=<more>\``
      );
    case E.EMFILE:
      return (
        `cannot create an inotify instance: limit reached (fs.inotify.max_user_instances = ` +
        `${sysctl('max_user_instances')}); raise it with \`lsyncd-ts sysctl --apply\``
      );
    case E.ENOENT:
      return `cannot watch ${path}: no such directory — create it or fix "source"`;
    case E.ENOTDIR:
      return `cannot watch ${path}: not a directory — "source" must be a directory`;
    case E.EACCES:
      return `cannot watch ${path}: permission denied — run as a user that can read it`;
    case E.EEXIST:
      return `cannot watch ${path}: it overlaps a root this watcher already watches — use a separate watcher`;
    case E.ENOMEM:
      return `cannot watch ${path}: the kernel is out of memory for inotify watches`;
    default:
      return `cannot watch ${path}: errno ${errno}`;
  }
}

/** The fix for kernel queue overflows, for the overflow log line. */
export function overflowAdvice(): string {
  return (
    `to make overflows rarer raise fs.inotify.max_queued_events (now ${sysctl('max_queued_events')}): ` +
    `\`lsyncd-ts sysctl --apply CONFIG\` sets the recommended value`
  );
}

export class WatchError extends Error {
  constructor(
    readonly errno: number,
    readonly path: string,
  ) {
    super(watchErrorMessage(errno, path));
    this.name = 'WatchError';
  }
}
