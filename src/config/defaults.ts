// lsyncd's defaults, as data (docs/lsyncd-compat.md#settings-keys, docs/lsyncd-compat.md#sync-keys, docs/lsyncd-compat.md#the-rsync-table–docs/lsyncd-compat.md#direct-mode-keys, docs/lsyncd-compat.md#exit-codes-of-transfers). Kept apart from
// normalize.ts so the numbers can be checked against the reference at a glance.
import type { DeleteGuardSettings, ExitAction, InotifyMode, SyncMode } from './schema.js';

/** Per-mode sync defaults. A custom-action sync without delay fires immediately (docs/lsyncd-compat.md#sync-keys). */
export const MODE_DEFAULTS: Record<SyncMode | 'custom', { delay: number; maxProcesses: number }> = {
  rsync: { delay: 15, maxProcesses: 1 },
  rsyncssh: { delay: 15, maxProcesses: 1 },
  direct: { delay: 1, maxProcesses: 1 },
  custom: { delay: 0, maxProcesses: 1 },
};

export const DEFAULT_MAX_DELAYS = 1000;

/**
 * The mass-delete guard's defaults (why these numbers: src/engine/delete_guard.ts and README
 * "Mass-delete guard"): hold when, within 60 s, at least 50 paths and at least half of what the
 * target holds were deleted.
 */
export const DELETE_GUARD_DEFAULTS: Readonly<DeleteGuardSettings> = Object.freeze({ fraction: 0.5, minimum: 50, window: 60 });

/**
 * settings/sync `connectTimeout` (seconds): long enough for a slow handshake over a bad link,
 * short enough that a dead server is reported down within seconds.
 */
export const DEFAULT_CONNECT_TIMEOUT = 10;

/**
 * settings/sync `maxBacklog`: how many changes a sync with state queues while its target is away
 * before it drops the queue for a catch-up from the state. A queued change costs a few hundred
 * bytes, so this bounds an outage's queue to a few MiB; the price of going over is one local walk
 * of the source when the target answers again.
 */
export const DEFAULT_MAX_BACKLOG = 10_000;

export const SETTINGS_DEFAULTS: {
  nodaemon: boolean;
  statusInterval: number;
  logfacility: string;
  logident: string;
  insist: boolean;
  inotifyMode: InotifyMode;
  onepass: boolean;
  logFormat: 'text' | 'json';
} = {
  nodaemon: false,
  statusInterval: 10,
  logfacility: 'user',
  logident: 'lsyncd',
  insist: false,
  inotifyMode: 'CloseWrite',
  onepass: false,
  logFormat: 'text',
};

/** lsyncd 2.3 defaults: binaries via PATH. */
export const DEFAULT_RSYNC_BINARY = 'rsync';
export const DEFAULT_SSH_BINARY = 'ssh';

/** rsync{} keys lsyncd sets to true unless the user set them (docs/lsyncd-compat.md#the-rsync-table). */
export const RSYNC_TRUE_DEFAULTS = ['links', 'times', 'protect_args'] as const;

/** archive=true fills these unset keys (docs/lsyncd-compat.md#the-rsync-table). */
export const ARCHIVE_TRUE = ['recursive', 'links', 'perms', 'times', 'group', 'owner', 'devices', 'specials'] as const;
export const ARCHIVE_FALSE = ['hard_links', 'acls', 'xattrs'] as const;

function table(ok: number[], again: number[], die: number[]): Record<number, ExitAction> {
  const t: Record<number, ExitAction> = {};
  for (const c of ok) t[c] = 'ok';
  for (const c of again) t[c] = 'again';
  for (const c of die) t[c] = 'die';
  return t;
}

/**
 * default.rsyncExitCodes (default.lua:325) with one change; codes not listed are 'die'.
 * 23 ("some files/attrs were not transferred") is `again`, not lsyncd's `ok`: it is what a
 * read-only or full target, or a name the target refuses, gives, and a batch counted as done
 * is never sent again — the creates and deletes in it were lost for good. Retried with backoff,
 * they arrive once the target takes them (a source file rsync cannot read keeps the sync
 * retrying until it is readable or excluded; `exitcodes = { [23] = "ok" }` restores lsyncd's
 * behaviour). 24 ("some files vanished before they could be transferred") stays `ok`: a file
 * deleted between the event and the transfer has its own Delete event queued, so nothing is
 * lost, and on a busy tree retrying would find other files vanishing.
 */
export const RSYNC_EXIT_CODES: Readonly<Record<number, ExitAction>> = Object.freeze(
  table([0, 24], [3, 5, 6, 10, 11, 12, 14, 20, 21, 22, 23, 30, 35, 255], [1, 2, 4, 25]),
);

/** default.sshExitCodes; codes not listed are 'die'. */
export const SSH_EXIT_CODES: Readonly<Record<number, ExitAction>> = Object.freeze(table([0], [255], []));

/** Custom actions: only 0 is ok unless the user says otherwise. */
export const CUSTOM_EXIT_CODES: Readonly<Record<number, ExitAction>> = Object.freeze(table([0], [], []));
