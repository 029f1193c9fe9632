/**
 * What the operations of ONE direct-mode batch share (docs/lsyncd-compat.md#direct-mode-operations).
 *
 * Contract:
 *  - Inputs: the sync's roots and settings (DirectOpsOptions, built once per transport) and the
 *    batch's log and abort signal (setContext).
 *  - Ownership: one BatchState per batch, never shared between batches (direct_transport.ts
 *    opsFor): with maxProcesses > 1 batches of one sync run at once, and each batch's directory
 *    verdicts, touched directories and opened-up modes must be its own. Only `warned` is shared
 *    by the batches of one sync, so a warning is logged once per sync.
 *  - The state each concern keeps lives here, beside the name of the file that owns it:
 *    ancestor_check.ts and dir_placement.ts (the directory verdicts), attr_restore.ts (touched
 *    directories, opened-up modes). Other files change it only through touch() (a target
 *    directory was written into) and invalidate() (a directory was removed, replaced or moved).
 *    DirectOps (direct_ops.ts) extends this class instead of holding one, so a batch allocates a
 *    single object, and the concern files are plain functions over it.
 *  - Paths are byte strings (target_paths.ts): `src(rel)` / `dst(rel)` are root + rel.
 *  - sourceStat never throws for the source: gone → undefined; unreadable → logged, undefined
 *    (rsync: partial transfer, code 23 = ok).
 */
import { type BigIntStats, lstatSync, statSync } from 'node:fs';
import { lstat } from 'node:fs/promises';
import type { RuleList } from '../../filters/index.js';
import type { Log } from '../../log/log.js';
import type { AttrOptions } from './apply_attrs.js';
import { errnoOf, isGone } from './fs_errors.js';
import { fsPath, show, syncPathOf } from './target_paths.js';

export interface DirectOpsOptions {
  /** Source root, byte string, no trailing "/". */
  readonly srcRoot: string;
  /** Target root, byte string, no trailing "/". */
  readonly dstRoot: string;
  /** The configured target (for safeDeletePath). */
  readonly targetRoot: string;
  readonly deleteWhileRunning: boolean;
  readonly rules: RuleList;
  /** Preserve owner/group (running as root). */
  readonly owner: boolean;
  /** Files copied concurrently inside one directory of a subtree copy. */
  readonly treeConcurrency?: number;
  /** Permission checks do not apply to us (root); default: the `owner` value. */
  readonly privileged?: boolean;
  /** Keys of warnings already logged, shared by the DirectOps of one sync (one per batch). */
  readonly warned?: Set<string>;
}

export interface OpCounters {
  files: number;
  bytes: number;
}

/** lstat that returns undefined when the entry (or a parent) is not there; other errors throw. */
export async function lstatOrUndefined(bs: string): Promise<BigIntStats | undefined> {
  try {
    return await lstat(fsPath(bs), { bigint: true });
  } catch (err) {
    if (isGone(err)) return undefined;
    throw err;
  }
}

export class BatchState {
  readonly counters: OpCounters = { files: 0, bytes: 0 };
  readonly attrs: AttrOptions;
  /**
   * ancestor_check.ts, dir_placement.ts: rel dir → verdict "real directory on source, directory
   * on target" (false = stale), or the check still running.
   */
  readonly dirCache = new Map<string, boolean | Promise<boolean>>();
  /** attr_restore.ts: target directories written into during the batch (rel). */
  readonly touched = new Set<string>();
  /** attr_restore.ts: target directories opened up to u+wx for writing (non-root), rel → exact mode to restore. */
  readonly lockedModes = new Map<string, number>();
  private readonly warned: Set<string>;
  signal: AbortSignal | undefined;

  constructor(
    readonly o: DirectOpsOptions,
    public log: Log,
  ) {
    this.warned = o.warned ?? new Set<string>();
    this.attrs = {
      owner: o.owner,
      onUnsupported: (what, p, code) => this.warnOnce(`${what}:${code}`, `direct: ${what} not supported on the target (${code}, first seen at ${show(p)}); attribute not preserved`),
    };
  }

  /** The log and abort signal of the batch being run (TransferContext). */
  setContext(log: Log, signal: AbortSignal | undefined): void {
    this.log = log;
    this.signal = signal;
  }

  src(rel: string): string {
    return this.o.srcRoot + rel;
  }

  dst(rel: string): string {
    return this.o.dstRoot + rel;
  }

  private warnOnce(key: string, msg: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.log.warn(msg);
  }

  /** Forget cached directory verdicts (after a full transfer, a removal, a move). */
  invalidate(): void {
    this.dirCache.clear();
  }

  excluded(rel: string, isDir: boolean): boolean {
    return this.o.rules.active && this.o.rules.isExcluded(syncPathOf(rel, isDir));
  }

  /**
   * The source entry at `rel`, never following a link below the root. Synchronous: the source is
   * a local, inotify-watched tree, so an lstat takes microseconds and a threadpool round trip
   * would cost more than the call.
   */
  async sourceStat(rel: string): Promise<BigIntStats | undefined> {
    try {
      // The source root may be a symlink (configured that way): follow it, and only it.
      return rel === '' ? statSync(fsPath(this.o.srcRoot), { bigint: true }) : lstatSync(fsPath(this.src(rel)), { bigint: true });
    } catch (err) {
      if (isGone(err)) return undefined;
      const code = errnoOf(err);
      if (code === undefined) throw err;
      this.log.warn(`direct: cannot read source ${show(this.src(rel))}: ${code}; skipped`);
      return undefined;
    }
  }

  /** Records that the target directory `relDir` was written into (its times are restored at the batch's end). */
  touch(relDir: string): void {
    this.touched.add(relDir);
  }
}
