// Binds a sync's mass-delete guard (delete_guard.ts) to its source and delay queue: the I/O the
// pure rule needs — the counting walk of the source (sysctl/count_dirs.ts, the watcher's walk,
// honouring the sync's rules), lstat of held paths, and moving Delete delays out of and back into
// the queue. Off (undefined) for custom-action syncs, `deleteGuard = false` and `delete = false`;
// with `delete = "startup"` only full transfers are guarded (events delete nothing).
import { lstatSync } from 'node:fs';

import type { NormalizedSync } from '../config/schema.js';
import type { RuleList } from '../filters/rule_list.js';
import type { Log } from '../log/log.js';
import { toBytes, type SyncPath } from '../paths/byte_path.js';
import type { DelayQueue } from '../queue/delay_queue.js';
import { countWatchedDirs } from '../sysctl/count_dirs.js';
import { deletesWhileRunning } from '../transports/delete_mode.js';
import { DeleteGuard } from './delete_guard.js';

export interface DeleteGuardBinding {
  readonly sync: NormalizedSync;
  readonly rules: RuleList;
  readonly queue: DelayQueue;
  readonly log: Log;
  /** Reschedule the runner and report idleness. */
  readonly changed: () => void;
}

export function createDeleteGuard(b: DeleteGuardBinding): DeleteGuard | undefined {
  const { sync, queue } = b;
  if (sync.mode === 'custom' || sync.deleteGuard === false || sync.delete === false) return undefined;
  const delayMs = sync.delay * 1000;
  const root = Buffer.from(sync.source.replace(/\/+$/, ''), 'utf8');
  return new DeleteGuard(sync.deleteGuard, {
    name: sync.name,
    guardsEvents: deletesWhileRunning(sync.delete),
    countSource: (stopAfter) => countWatchedDirs(sync.source, { rules: b.rules, countEntries: true, stopAfterEntries: stopAfter }).entries,
    existsInSource: (path: SyncPath) => {
      try {
        return lstatSync(Buffer.concat([root, toBytes(path)]), { throwIfNoEntry: false }) !== undefined;
      } catch {
        return true; // cannot tell (EACCES, ...): never delete on a guess
      }
    },
    takeQueuedDeletes: () => {
      const now = performance.now();
      return queue
        .takeWaiting((d) => d.kind === 'Delete' && !d.fromMove)
        .map((d) => ({ path: d.path, at: Math.min(now, d.attempts === 0 ? d.alarm - delayMs : now) }));
    },
    requeue: (deletes) => {
      for (const d of deletes) queue.ingest({ kind: 'Delete', path: d.path }, d.at);
    },
    queueFull: (reason) => queue.addFull(performance.now(), reason),
    changed: b.changed,
    warn: (m) => b.log.warn(m),
    normal: (m) => b.log.normal(m),
  });
}
