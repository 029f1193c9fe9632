// Pure recommendation of inotify limits for a tree of N directories (values with
// headroom, and the kernel memory they cost). No I/O: current limits and usage are
// injected, which is also how the tests pin every branch down.
//
// Rules (all values only ever go UP: a recommendation never lowers a current setting):
//  - max_user_watches: needed = dirs + watches other processes of this user already hold.
//    recommended = max(current, 65536, 2 × needed rounded up to a multiple of 65536).
//    The 2× is headroom for growth and for the transient double watches during a directory
//    move/rescan; the 65536 floor covers the editors/IDEs/file managers that also use inotify.
//    status: 'too-low' when current < needed (startup would hit ENOSPC, which lsyncd answers
//    with exit(-1), docs/lsyncd-compat.md#watches-and-inotifymode), 'low-headroom' when below the recommendation.
//  - max_user_instances: needed = instances in use + one per watched tree (upper bound: the
//    daemon may share one instance between syncs). recommended = max(current, 128,
//    2 × needed rounded up to a multiple of 128). Same statuses.
//  - max_queued_events: never 'too-low' (a full queue is an IN_Q_OVERFLOW, i.e. a rescan, not a
//    failure), 'low-headroom' below 65536 (the kernel default 16384 overflows under bursts:
//    lsyncd issues #343/#315 loop on overflow).
//  - `tooLow` (what `sysctl --check` turns into exit 2) = any 'too-low' status.
//    An unreadable current value is 'unknown'.
// Memory (stated assumption, inotify(7) and the kernel's INOTIFY_WATCH_COST): a watch in use costs
// about 1 KiB of unswappable kernel memory on a 64-bit kernel (~540 B on 32-bit): the watch mark
// plus the inode it pins in the cache. A limit costs nothing until it is used, so the real cost is
// dirs × 1 KiB; `limitBytes` is the worst case if every allowed watch were used. A queued event
// costs ~80 bytes plus its name, only while it waits in the queue.
import type { InotifyLimitName, InotifyLimits } from './inotify_limits.js';

export const BYTES_PER_WATCH = 1024;
export const BYTES_PER_QUEUED_EVENT = 80;
export const MIN_WATCHES = 65536;
export const WATCH_STEP = 65536;
export const MIN_INSTANCES = 128;
export const INSTANCE_STEP = 128;
export const MIN_QUEUED_EVENTS = 65536;

export type LimitStatus = 'ok' | 'low-headroom' | 'too-low' | 'unknown';

export interface LimitAdvice {
  name: InotifyLimitName;
  current: number | undefined;
  /** What this tree needs at least; undefined for max_queued_events (no hard need). */
  needed: number | undefined;
  recommended: number;
  status: LimitStatus;
}

export interface RecommendInput {
  /** Directories to watch, over all trees. */
  dirs: number;
  /** Trees (syncs / directories) to watch. */
  trees: number;
  current: InotifyLimits;
  /** Held by other processes of this user (inotify_usage.ts). */
  inUse: { watches: number; instances: number };
}

export interface Recommendation {
  watches: LimitAdvice;
  instances: LimitAdvice;
  queuedEvents: LimitAdvice;
  /** True when a hard limit is below what is needed (→ `sysctl --check` exit 2). */
  tooLow: boolean;
  /** True when a current value could not be read. */
  unknown: boolean;
  memory: {
    /** Kernel memory the tree's own watches cost: dirs × BYTES_PER_WATCH. */
    treeBytes: number;
    /** Worst case if all recommended watches were in use. */
    limitBytes: number;
  };
}

export function roundUp(n: number, step: number): number {
  return Math.ceil(n / step) * step;
}

function advice(name: InotifyLimitName, current: number | undefined, needed: number, floor: number, step: number): LimitAdvice {
  const target = Math.max(floor, roundUp(2 * needed, step));
  const recommended = Math.max(current ?? 0, target);
  const status: LimitStatus = current === undefined ? 'unknown' : current < needed ? 'too-low' : current < target ? 'low-headroom' : 'ok';
  return { name, current, needed, recommended, status };
}

export function recommendLimits(input: RecommendInput): Recommendation {
  const watches = advice('max_user_watches', input.current.max_user_watches, input.dirs + input.inUse.watches, MIN_WATCHES, WATCH_STEP);
  const instances = advice('max_user_instances', input.current.max_user_instances, input.trees + input.inUse.instances, MIN_INSTANCES, INSTANCE_STEP);
  const q = input.current.max_queued_events;
  const queuedEvents: LimitAdvice = {
    name: 'max_queued_events',
    current: q,
    needed: undefined,
    recommended: Math.max(q ?? 0, MIN_QUEUED_EVENTS),
    status: q === undefined ? 'unknown' : q < MIN_QUEUED_EVENTS ? 'low-headroom' : 'ok',
  };
  const all = [watches, instances, queuedEvents];
  return {
    watches,
    instances,
    queuedEvents,
    tooLow: all.some((a) => a.status === 'too-low'),
    unknown: all.some((a) => a.status === 'unknown'),
    memory: { treeBytes: input.dirs * BYTES_PER_WATCH, limitBytes: watches.recommended * BYTES_PER_WATCH },
  };
}

/** The limits a recommendation would raise (recommended above current, or current unknown). */
export function changesOf(rec: Recommendation): { name: InotifyLimitName; value: number }[] {
  return [rec.watches, rec.instances, rec.queuedEvents]
    .filter((a) => a.current === undefined || a.recommended > a.current)
    .map((a) => ({ name: a.name, value: a.recommended }));
}
