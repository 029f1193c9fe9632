/**
 * DirectTransport: lsyncd's `default.direct` done right (docs/lsyncd-compat.md#direct-mode-keys, docs/lsyncd-compat.md#direct-mode-operations).
 *
 * Contract (src/transports/transport.ts):
 *  - full(): one rsync run (`rsyncFullCommand`: the sync's rsync{} flags, delete mode for full
 *    runs, filters/excludes on stdin) through runCommand — no shell. Exit code → ok/again/die via
 *    the sync's `rsyncExitCodes` (docs/lsyncd-compat.md#exit-codes-of-transfers), with `--sparse` unless rsync{sparse = false} (batch copies
 *    keep holes too, copy_atomic.ts); a missing binary is `die` with "rsync not found: install
 *    rsync or set rsync.binary"; a run ended by our own abort is `again`.
 *  - batch(delays): in-process operations (direct_ops.ts) in FIFO order — Create/Modify → copy to a
 *    temp name + rename (never a half-written file on the target), directory Create → mkdir (the
 *    whole subtree when the delay stands for a moved tree, `fromMove`), Delete → `rm -r` honouring
 *    the delete mode and never the target root, Move → rename(2) with copy fallback, Attrib →
 *    mode/owner/times (lsyncd drops it), symlinks as symlinks. No process is spawned per event
 *    (lsyncd spawns `cp`/`rm`/`mv` per event and ignores their exit codes, docs/lsyncd-compat.md#direct-mode-operations).
 *  - Outcome: ok; the first target-side errno failure (EACCES, ENOSPC, EIO, …) ends the batch with
 *    `again` and a one-line reason naming the operation, path and errno (the runner retries the
 *    batch with backoff; every op is idempotent, a Move retried after it succeeded finds no origin
 *    and copies the destination instead). An unexpected non-errno exception is `die`: retrying a
 *    bug forever helps nobody. A Full delay inside a batch runs full(). A target root found
 *    missing before a batch skips it and asks for a full resync instead (target_root.ts).
 *  - Concurrency: runs of consecutive non-directory Create/Modify/Attrib delays on unrelated paths
 *    (no path equal to, or an ancestor of, another in the run) execute with up to
 *    `concurrency` operations in flight (libuv's thread pool does the syscalls); every other delay
 *    — directories, Delete, Move, Full, or a path related to one in the run — is a barrier that
 *    runs alone, so the FIFO order is kept wherever it can matter.
 *  - keepsMoves = true (lsyncd direct sets onMove, docs/lsyncd-compat.md#paths-moves-and-excludes); batchOptions = {} (all eligible delays).
 *
 * Decisions documented here:
 *  - mode, times and (as root) owner/group are always preserved by event operations, like lsyncd's
 *    `cp -p`, whatever rsync{perms,owner,group} says (those flags shape full() only).
 *  - `delete = false | 'startup'`: Delete events are dropped while running (lsyncd: "discarded"),
 *    and a non-empty target directory is never removed to make way for a file/symlink.
 */
import { opendir } from 'node:fs/promises';

import type { NormalizedDirectSync } from '../../config/schema.js';
import { describeCommand, runCommand } from '../../process/process_runner.js';
import type { FullOptions, TransferContext, TransferOutcome, TransferReport, Transport } from '../transport.js';
import type { RuleList } from '../../filters/index.js';
import type { BatchOptions } from '../../queue/delay_queue.js';
import type { Delay } from '../../queue/events.js';
import { deletesWhileRunning } from '../delete_mode.js';
import { processOutcome } from '../exit_outcome.js';
import { rsyncFailureLine } from '../rsync/error_line.js';
import { rsyncFullCommand } from '../rsync/full_argv.js';
import { TargetRoot } from '../target_root.js';
import { runningAsRoot } from './apply_attrs.js';
import { ancestorsOf, relOf, rootByteString } from './target_paths.js';
import { DirectOps, type DirectOpsOptions } from './direct_ops.js';
import { forEachLimit } from './for_each_limit.js';
import { DirectOpError } from './fs_errors.js';

export interface DirectTransportOptions {
  /** Overrides sync.rsync.binary for full() (tests, `which rsync` resolution). */
  readonly rsyncBinary?: string;
  /** Operations in flight for runs of independent file changes (default 16). */
  readonly concurrency?: number;
  /** Preserve owner/group (default: when running as root). */
  readonly preserveOwner?: boolean;
}

/** The rsync options of a direct sync's full run: holes stay holes, as in batch copies (sparse_copy.ts), unless rsync{sparse = false}. */
export function directFullRsync(sync: NormalizedDirectSync): NormalizedDirectSync['rsync'] {
  return { ...sync.rsync, sparse: sync.rsync.sparse ?? true };
}

export const RSYNC_NOT_FOUND = 'rsync not found: install rsync or set rsync.binary';

export class DirectTransport implements Transport {
  readonly description: string;
  readonly keepsMoves = true;
  readonly batchOptions: BatchOptions = {};
  private readonly opsOptions: DirectOpsOptions;
  private readonly concurrency: number;
  private readonly root: TargetRoot;

  constructor(
    private readonly sync: NormalizedDirectSync,
    private readonly rules: { readonly rules: RuleList; readonly hasFilters: boolean },
    private readonly opts: DirectTransportOptions = {},
  ) {
    this.description = `${sync.source} -> ${sync.target}`;
    this.concurrency = Math.max(1, opts.concurrency ?? 16);
    this.root = new TargetRoot(sync.target);
    this.opsOptions = {
      srcRoot: rootByteString(sync.source),
      dstRoot: rootByteString(sync.target),
      targetRoot: sync.target,
      deleteWhileRunning: deletesWhileRunning(sync.delete),
      rules: rules.rules,
      owner: opts.preserveOwner ?? runningAsRoot(),
      warned: new Set<string>(),
    };
  }

  async full(ctx: TransferContext, opts?: FullOptions): Promise<TransferReport> {
    const own = directFullRsync(this.sync);
    const rsync = this.opts.rsyncBinary === undefined ? own : { ...own, binary: this.opts.rsyncBinary };
    const cmd = rsyncFullCommand({
      rsync,
      delete: opts?.withoutDelete === true ? false : this.sync.delete,
      source: this.sync.source,
      target: this.sync.target,
      hasFilters: this.rules.hasFilters,
      rules: this.rules.rules.rules,
    });
    ctx.log.debug('Exec', describeCommand(cmd));
    const r = await runCommand(cmd, {
      signal: ctx.signal,
      onLine: (stream, line) => {
        if (line === '') return;
        if (stream === 'stderr') ctx.log.warn(`rsync: ${line}`);
        else ctx.log.normal(line);
      },
    });
    if (r.spawnError === undefined && ctx.signal.aborted) return { outcome: { kind: 'again', reason: 'full transfer aborted (shutdown)' } };
    const tail = (): string => {
      const line = rsyncFailureLine(r.stderrTail);
      return line === undefined ? '' : `: ${line}`;
    };
    const outcome = processOutcome(r, this.sync.rsyncExitCodes, {
      cannotStart: (e) => {
        if (e.code === 'ENOENT') return RSYNC_NOT_FOUND;
        // execvp reports EACCES for a bare name when some PATH directory is unreadable and no rsync was found.
        if (e.code === 'EACCES' && !cmd.binary.includes('/')) return `${RSYNC_NOT_FOUND} (searching PATH for "${cmd.binary}" gave EACCES)`;
        return `cannot start ${cmd.binary}: ${e.code ?? e.message}`;
      },
      killed: (signal) => `rsync killed by ${signal ?? 'a signal'}${tail()}`,
      exited: (code) => `rsync exited with code ${code}${tail()}`,
    });
    if (outcome.kind === 'ok') this.root.transferred();
    return { outcome };
  }

  /** Any entry in the target directory (a missing target holds nothing; unreadable: unknown). */
  async targetHasEntries(): Promise<boolean | undefined> {
    let dir;
    try {
      dir = await opendir(Buffer.from(this.sync.target, 'utf8'));
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ENOENT' ? false : undefined;
    }
    try {
      return (await dir.read()) !== null;
    } finally {
      await dir.close();
    }
  }

  async batch(delays: readonly Delay[], ctx: TransferContext): Promise<TransferReport> {
    const gone = this.root.gone();
    if (gone !== undefined) return { outcome: { kind: 'ok' }, fullResync: gone };
    const ops = this.opsFor(ctx);
    const before = { ...ops.counters };
    const report = (outcome: TransferOutcome): TransferReport => ({
      outcome,
      filesSent: ops.counters.files - before.files,
      bytesSent: ops.counters.bytes - before.bytes,
    });
    let run: Delay[] = [];
    const runKeys = new Set<string>();
    const runAncestors = new Set<string>();
    const flush = async (): Promise<void> => {
      if (run.length === 0) return;
      const items = run;
      run = [];
      runKeys.clear();
      runAncestors.clear();
      if (items.length === 1) await this.execute(items[0]!, ops, ctx);
      else await forEachLimit(items, this.concurrency, (d) => this.execute(d, ops, ctx));
    };
    try {
      for (const d of delays) {
        if (ctx.signal.aborted) {
          await flush();
          return report({ kind: 'again', reason: 'batch aborted (shutdown)' });
        }
        if (isIndependentKind(d)) {
          const key = relOf(d.path);
          const anc = ancestorsOf(key);
          const clash = runKeys.has(key) || runAncestors.has(key) || anc.some((a) => runKeys.has(a));
          if (clash) await flush();
          run.push(d);
          runKeys.add(key);
          for (const a of anc) runAncestors.add(a);
          continue;
        }
        await flush();
        if (d.kind === 'Full') {
          const r = await this.full(ctx);
          if (r.outcome.kind !== 'ok') return report(r.outcome);
          ops.invalidate(); // the full run changed the target under the cached verdicts
          continue;
        }
        await this.execute(d, ops, ctx);
      }
      await flush();
      return report({ kind: 'ok' });
    } catch (err) {
      if (err instanceof DirectOpError) return report({ kind: 'again', reason: err.message });
      const e = err as Error;
      return report({ kind: 'die', reason: `direct transport failed: ${e.stack ?? e.message}` });
    } finally {
      await ops.finishBatch().catch(() => undefined);
    }
  }

  /**
   * A DirectOps of its own for each batch: its directory verdicts, the target directories it
   * opened up for writing (restored by its finishBatch) and its counters belong to that batch.
   * With maxProcesses > 1 batches of one sync run at once (the queue keeps their paths apart);
   * one shared instance let a finishing batch reset the state of one still running. Fresh
   * verdicts per batch are also required on their own: between batches the source may have
   * replaced a directory by a symlink, and a stale event must not read through it.
   */
  private opsFor(ctx: TransferContext): DirectOps {
    const ops = new DirectOps(this.opsOptions, ctx.log);
    ops.setContext(ctx.log, ctx.signal);
    return ops;
  }

  private async execute(d: Delay, ops: DirectOps, ctx: TransferContext): Promise<void> {
    const rel = relOf(d.path);
    switch (d.kind) {
      case 'Create':
        await ops.syncEntry(rel, d.isDir && d.fromMove);
        return;
      case 'Modify':
        if (d.isDir) await ops.attrib(rel);
        else await ops.syncEntry(rel, false);
        return;
      case 'Attrib':
        await ops.attrib(rel);
        return;
      case 'Delete':
        await ops.remove(rel);
        return;
      case 'Move':
        if (d.destination === undefined) throw new Error(`Move without destination: ${rel}`);
        await ops.move(rel, relOf(d.destination), d.isDir);
        return;
      case 'Full':
        // Only reached via a run; batch() handles Full as a barrier.
        ctx.log.debug('Exec', 'direct: unexpected Full inside a run');
        return;
    }
  }

  async close(): Promise<void> {
    // Nothing held open: every operation closes its descriptors.
  }
}

function isIndependentKind(d: Delay): boolean {
  return !d.isDir && (d.kind === 'Create' || d.kind === 'Modify' || d.kind === 'Attrib');
}

