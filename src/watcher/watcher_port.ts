// WatcherPort: what the engine needs from a watcher, and nothing more. The engine gets a
// WatcherFactory through its options (EngineOptions.watcherFactory) and creates one watcher per
// sync with it; the composition root (src/cli/start_daemon.ts) hands it createWatcher, the real
// inotify watcher (watcher.ts), and engine tests may hand it test/helpers/fake_watcher.ts, which
// lets a test push records without inotify.
//
// Contract every implementation keeps (the engine relies on each point):
//   - the factory throws a WatchError (watch_errors.ts) when no watcher can be created (EMFILE:
//     no inotify instance left);
//   - onBatch receives batches (event_batch.ts) in order, one at a time: the next batch is not
//     delivered until the previous onBatch returned or its Promise settled. An exception from
//     onBatch goes to the factory's onError, never lost;
//   - add(root, rules) resolves once the root's tree is watched (watch-then-scan, excludes applied
//     before any watch) with the root id its records carry, the directory count and the
//     directories that could not be watched; it rejects only for the root itself (WatchError);
//   - remove(rootId) drops a root's watches; no record of it is delivered afterwards;
//   - rewatch(rootId, rel) watches one directory inside a root again, with its subtree, after it
//     could not be watched; it emits no records (the caller resyncs that subtree itself);
//   - flush() resolves after every change made before the call was delivered and handled;
//   - stats() is synchronous: watches set now, queue overflows so far;
//   - close() is idempotent; afterwards no batch is delivered and pending flushes resolve.
import type { EventBatch } from './event_batch.js';
import type { InotifyMode } from './inotify_mode.js';

export interface WatchRule {
  include: boolean;
  pattern: string;
  /**
   * Which rule list of the root this rule belongs to (default 0). With several lists a directory
   * is left unwatched only when every list excludes it (src/engine/shared_watches.ts).
   */
  list?: number;
}

export interface WatcherOptions {
  mode?: InotifyMode;
  /** Quiet period that ends a batch (ms). */
  settleMs?: number;
  /** Cap from a batch's first record to its delivery (ms). */
  maxLatencyMs?: number;
  /** Deliver as soon as this many records are pending. */
  maxBatch?: number;
  /** Pending records before a forced Overflow per root (while JS does not take batches). */
  maxPending?: number;
  /** Grace before an unpaired MOVED_FROM becomes a Delete (ms). */
  moveGraceMs?: number;
  /**
   * How long a batch holding a new file's Create waits for the writer's close (ms; 0 = not at
   * all), so the file is sent once, complete (native/core/create_hold.h).
   */
  createGraceMs?: number;
  onError?: (err: unknown) => void;
}

export interface AddResult {
  rootId: number;
  dirs: number;
  /** Directories inside the tree that could not be watched, with the reason. */
  errors: { path: string; errno: number; message: string; rel: Buffer }[];
}

export interface RewatchResult {
  /** Directories now watched (0: the directory is gone, or was watched meanwhile). */
  dirs: number;
  /** errno when its parent is not watched (ENOENT), else 0. */
  err: number;
  /** Directories below it that still could not be watched (root-relative bytes, errno). */
  errors: { rel: Buffer; errno: number }[];
}

export type BatchHandler = (batch: EventBatch) => void | Promise<void>;

export interface WatcherStats {
  /** Directories watched now. */
  readonly watches: number;
  /** Directories watched now per root id (index), where the watcher counts them. */
  readonly rootWatches?: readonly number[];
  /** Kernel (or forced) queue overflows so far. */
  readonly overflows: number;
}

export interface WatcherPort {
  /** Watches `root` recursively. `rules` are lsyncd filter/exclude rules (first match wins). */
  add(root: string, rules: WatchRule[]): Promise<AddResult>;
  /** Watches directory `rel` (root-relative bytes, no leading or trailing '/') of `rootId` again. */
  rewatch(rootId: number, rel: Buffer): Promise<RewatchResult>;
  /** Stops watching a root (its watches are removed; no more records of it). */
  remove(rootId: number): Promise<void>;
  flush(): Promise<void>;
  stats(): WatcherStats;
  close(): void;
}

export type WatcherFactory = (opts: WatcherOptions, onBatch: BatchHandler) => WatcherPort;
