// UnwatchedDirs: the directories of one sync that could not be watched for lack of inotify
// watches (out_of_watches.ts isWatchShortage) — what makes a running sync "degraded". Changes in
// such a directory produce no events, so without this they would never be transferred, not even
// after the limit is raised.
//
// Contract:
//   - failed(path, errno) records a directory (root-relative, trailing '/'); it returns false for
//     an errno that retrying cannot cure (the caller reports that one itself);
//   - one entry stands for a whole subtree: the watcher never descends into a directory it
//     could not watch, so only the topmost unwatched directory is ever reported;
//   - while entries exist, they are retried with exponential backoff (retry_backoff.ts, from
//     1 s, capped at 5 min; a round that watched something starts the backoff again) through the
//     injected `rewatch`; a directory watched again goes to `resync`, which queues it like a
//     directory moved into the tree: its whole subtree is transferred, nothing else;
//   - observe(event) keeps entries current: a directory deleted (or moved out) is dropped with
//     everything below it, a moved one follows its move;
//   - clear() forgets everything (the source itself went away; its return re-reports what still
//     cannot be watched); close() also stops the retries.
import { displayPath, fromByteString, toByteString, type SyncPath } from '../paths/byte_path.js';
import type { QueueEvent } from '../queue/events.js';
import { retryDelayMs } from '../queue/retry_backoff.js';
import type { RewatchResult } from '../watcher/watcher_port.js';
import { isWatchShortage } from './out_of_watches.js';

export interface UnwatchedDirsDeps {
  /** Watch the directory again; `rel` is root-relative bytes without leading or trailing '/'. */
  readonly rewatch: (rel: Buffer) => Promise<RewatchResult>;
  /** Queue the transfer of a directory's whole subtree (root-relative, trailing '/'). */
  readonly resync: (dir: SyncPath) => void;
  readonly warn: (message: string) => void;
  readonly normal: (message: string) => void;
}

/** The first retry comes after this; each failed round doubles it (capped at 5 min). */
const FIRST_RETRY_MS = 1000;

export class UnwatchedDirs {
  /** Byte-string path ('/a/b/') → errno of the last failure. */
  private readonly dirs = new Map<string, number>();
  private failedRounds = 0;
  private timer: NodeJS.Timeout | undefined;
  private retrying = false;
  private closed = false;
  /** When the next retry round runs (epoch ms), while there are entries. */
  retryAt: number | undefined;

  constructor(private readonly deps: UnwatchedDirsDeps) {}

  get count(): number {
    return this.dirs.size;
  }

  failed(path: SyncPath, errno: number): boolean {
    if (!isWatchShortage(errno)) return false;
    if (this.closed) return true;
    let key = toByteString(path);
    if (!key.endsWith('/')) key += '/';
    if (!this.dirs.has(key)) {
      this.dirs.set(key, errno);
      this.deps.warn(
        `cannot watch ${displayPath(fromByteString(key))}: out of inotify watches; changes in it are not seen until its watch is set ` +
          `(${this.dirs.size} director${this.dirs.size === 1 ? 'y' : 'ies'} unwatched; retrying with backoff; raise fs.inotify.max_user_watches with \`lsyncd-ts sysctl --apply\`)`,
      );
    }
    this.schedule();
    return true;
  }

  observe(ev: QueueEvent): void {
    if (this.dirs.size === 0) return;
    const from = toByteString(ev.path);
    if (!from.endsWith('/')) return;
    if (ev.kind === 'Delete') {
      for (const k of [...this.dirs.keys()]) if (k.startsWith(from)) this.dirs.delete(k);
    } else if (ev.kind === 'Move') {
      const to = toByteString(ev.destination);
      for (const [k, errno] of [...this.dirs]) {
        if (!k.startsWith(from)) continue;
        this.dirs.delete(k);
        this.dirs.set(to + k.slice(from.length), errno);
      }
    }
    if (this.dirs.size === 0) this.allWatched();
  }

  clear(): void {
    this.dirs.clear();
    this.stopTimer();
  }

  close(): void {
    this.closed = true;
    this.clear();
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.retryAt = undefined;
  }

  private schedule(): void {
    if (this.timer || this.retrying || this.closed || this.dirs.size === 0) return;
    const wait = retryDelayMs(this.failedRounds + 1, FIRST_RETRY_MS);
    this.retryAt = Date.now() + wait;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.retry();
    }, wait);
  }

  private async retry(): Promise<void> {
    this.retrying = true;
    let progress = false;
    try {
      for (const key of [...this.dirs.keys()]) {
        if (this.closed || !this.dirs.has(key)) continue;
        const rel = Buffer.from(key.slice(1, -1), 'latin1');
        let r: RewatchResult;
        try {
          r = await this.deps.rewatch(rel);
        } catch {
          return; // the watcher was closed
        }
        if (this.closed || !this.dirs.has(key)) continue;
        const again = r.errors.some((e) => e.rel.equals(rel));
        for (const e of r.errors) if (!e.rel.equals(rel)) this.failed(fromByteString(`/${e.rel.toString('latin1')}/`), e.errno);
        if (again) continue;
        // Watched now (dirs > 0), or there is nothing left to watch: gone, or its parent is
        // (its own delete event says so), or an overflow rewalk watched it meanwhile.
        this.dirs.delete(key);
        progress = true;
        if (r.err === 0 && r.dirs > 0) {
          const dir = fromByteString(key);
          this.deps.normal(`watching ${displayPath(dir)} again (${r.dirs} director${r.dirs === 1 ? 'y' : 'ies'}); resyncing it`);
          this.deps.resync(dir);
        }
      }
    } finally {
      this.retrying = false;
    }
    if (this.closed) return;
    this.failedRounds = progress ? 0 : this.failedRounds + 1;
    this.retryAt = undefined;
    if (this.dirs.size === 0) this.allWatched();
    else this.schedule();
  }

  private allWatched(): void {
    this.stopTimer();
    this.failedRounds = 0;
    this.deps.normal('every directory is watched again; no longer degraded');
  }
}
