// Watcher: the typed face of the native inotify addon (native/addon/watcher_object.h).
//
// Contract:
//   - one inotify fd and one reader thread per Watcher; any number of roots, which must not
//     overlap (an overlapping add() rejects with EEXIST);
//   - onBatch receives batches in order, one at a time: the next batch is not delivered until
//     the previous onBatch returned or its Promise settled (back-pressure; records keep
//     coalescing natively meanwhile). An exception from onBatch goes to onError, never lost;
//   - add() resolves once the root's tree is watched (watch-then-scan, excludes applied before
//     any watch) with the directory count and per-directory problems; it rejects only for the
//     root itself, with a message that names the fix (watch_errors.ts);
//   - rewatch() watches one directory inside a root again, with its subtree, after it could not
//     be watched (e.g. out of watches); its parent must be watched. It emits no records: the
//     caller resyncs that subtree itself;
//   - flush() resolves after every change made before the call was delivered and handled;
//   - close() stops the thread and frees everything; the Watcher is then inert.
// It is the real WatcherPort (watcher_port.ts): createWatcher is the factory the daemon hands
// the engine.
import path from 'node:path';

import { pathArg } from '../paths/byte_path.js';
import { EventBatch } from './event_batch.js';
import { loadNative, type NativeStats, type NativeWatcher, type RawMessage } from '../native/native_binding.js';
import { InotifyModes } from './inotify_mode.js';
import { WatchError, watchErrorMessage } from './watch_errors.js';
import type { AddResult, BatchHandler, RewatchResult, WatcherFactory, WatcherOptions, WatcherPort, WatchRule } from './watcher_port.js';

/**
 * The default of every timing and size option, written only here: the addon requires each one.
 * (The engine passes its own settleMs; see engine.ts.)
 */
export const WATCHER_DEFAULTS = {
  settleMs: 20,
  maxLatencyMs: 200,
  maxBatch: 8192,
  maxPending: 1_000_000,
  moveGraceMs: 20,
  createGraceMs: 1,
} as const;

interface Pending {
  resolve: (r: RawMessage & { type: 2 }) => void;
  reject: (err: Error) => void;
}

export class Watcher implements WatcherPort {
  private readonly native: NativeWatcher;
  private readonly replies = new Map<number, Pending>();
  private readonly flushes = new Map<number, () => void>();
  private readonly roots = new Map<number, string>();
  private nextReq = 1;
  private nextRoot = 0;
  private closed = false;
  private readonly onError: (err: unknown) => void;

  constructor(
    opts: WatcherOptions,
    private readonly onBatch: BatchHandler,
  ) {
    const native = loadNative();
    // The addon's own list gives the number (see inotify_mode.ts): no order to keep in step.
    const mode = native.watcherAbi.inotifyModes.indexOf(opts.mode ?? 'CloseWrite');
    if (mode < 0) throw new RangeError(`inotifyMode "${String(opts.mode)}" is not one of ${InotifyModes.join(', ')}`);
    this.onError =
      opts.onError ??
      ((err) => {
        process.nextTick(() => {
          throw err;
        });
      });
    try {
      this.native = new native.NativeWatcher(
        {
          mode,
          settleMs: opts.settleMs ?? WATCHER_DEFAULTS.settleMs,
          maxLatencyMs: opts.maxLatencyMs ?? WATCHER_DEFAULTS.maxLatencyMs,
          maxBatch: opts.maxBatch ?? WATCHER_DEFAULTS.maxBatch,
          maxPending: opts.maxPending ?? WATCHER_DEFAULTS.maxPending,
          moveGraceMs: opts.moveGraceMs ?? WATCHER_DEFAULTS.moveGraceMs,
          createGraceMs: opts.createGraceMs ?? WATCHER_DEFAULTS.createGraceMs,
        },
        (m) => this.onMessage(m),
      );
    } catch (err) {
      const errno = (err as { errno?: number }).errno;
      if (typeof errno === 'number') throw new WatchError(errno, '');
      throw err;
    }
  }

  private onMessage(m: RawMessage): void {
    if (m.type === 2) {
      const p = this.replies.get(m.reqId);
      if (p) {
        this.replies.delete(m.reqId);
        p.resolve(m);
      }
      const f = this.flushes.get(m.reqId);
      if (f) {
        this.flushes.delete(m.reqId);
        f();
      }
      return;
    }
    const flushIds = m.flushIds;
    const done = (): void => {
      if (this.closed) return;
      this.native.ack();
      for (const id of flushIds) {
        const f = this.flushes.get(id);
        this.flushes.delete(id);
        f?.();
      }
    };
    if (this.closed) return;
    let result: void | Promise<void>;
    try {
      result = this.onBatch(new EventBatch(m));
    } catch (err) {
      this.onError(err);
      done();
      return;
    }
    if (result && typeof (result as Promise<void>).then === 'function') {
      (result as Promise<void>).then(done, (err: unknown) => {
        this.onError(err);
        done();
      });
    } else {
      done();
    }
  }

  private request(send: (reqId: number) => void): Promise<RawMessage & { type: 2 }> {
    if (this.closed) return Promise.reject(new Error('watcher is closed'));
    const reqId = this.nextReq++;
    return new Promise((resolve, reject) => {
      this.replies.set(reqId, { resolve, reject });
      send(reqId);
    });
  }

  /** Watches `root` recursively. `rules` are lsyncd filter/exclude rules (first match wins). */
  async add(root: string, rules: WatchRule[] = []): Promise<AddResult> {
    const abs = path.resolve(root);
    if (this.nextRoot > 0xffff) throw new RangeError('too many roots in one watcher');
    const rootId = this.nextRoot++;
    const reply = await this.request((reqId) => this.native.add(reqId, rootId, pathArg(abs), rules));
    if (reply.err !== 0) throw new WatchError(reply.err, abs);
    this.roots.set(rootId, abs);
    return {
      rootId,
      dirs: reply.dirs,
      errors: reply.errors.map((e) => {
        const p = path.join(abs, e.path.toString('utf8'));
        return { path: p, errno: e.err, message: watchErrorMessage(e.err, p), rel: e.path };
      }),
    };
  }

  /** Watches directory `rel` (root-relative bytes, no leading or trailing '/') of `rootId` again. */
  async rewatch(rootId: number, rel: Buffer): Promise<RewatchResult> {
    const reply = await this.request((reqId) => this.native.rewatch(reqId, rootId, rel));
    return { dirs: reply.dirs, err: reply.err, errors: reply.errors.map((e) => ({ rel: e.path, errno: e.err })) };
  }

  async remove(rootId: number): Promise<void> {
    await this.request((reqId) => this.native.remove(reqId, rootId));
    this.roots.delete(rootId);
  }

  rootPath(rootId: number): string | undefined {
    return this.roots.get(rootId);
  }

  /** Resolves once every change made before this call has been delivered and handled. */
  flush(): Promise<void> {
    if (this.closed) return Promise.resolve();
    const reqId = this.nextReq++;
    return new Promise((resolve) => {
      this.flushes.set(reqId, resolve);
      this.native.flush(reqId);
    });
  }

  stats(): NativeStats {
    return this.native.stats();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.native.close();
    for (const f of this.flushes.values()) f();
    this.flushes.clear();
    for (const p of this.replies.values()) p.reject(new Error('watcher closed before the request finished'));
    this.replies.clear();
  }

  /** Test-only: stop reading the kernel queue (to force a real IN_Q_OVERFLOW). */
  __pauseReader(paused: boolean): void {
    this.native.pauseReader(paused);
  }

  /**
   * Test-only: the reader thread's watch table as (wd, absolute path) pairs, and the inotify fd,
   * so a test can compare the table with the kernel's own list (/proc/self/fdinfo/<fd>).
   */
  async __dumpWatches(): Promise<{ inotifyFd: number; watches: { wd: number; path: Buffer }[] }> {
    const reply = await this.request((reqId) => this.native.dumpWatches(reqId));
    return { inotifyFd: reply.inotifyFd ?? -1, watches: reply.watches ?? [] };
  }

  /** Test-only: after `n` more watches, inotify_add_watch fails with `errno`. */
  __failAddWatchAfter(n: number, errno: number): void {
    this.native.failAddWatchAfter(n, errno);
  }
}

/** The real watcher, as the factory the engine takes (EngineOptions.watcherFactory). */
export const createWatcher: WatcherFactory = (opts, onBatch) => new Watcher(opts, onBatch);
