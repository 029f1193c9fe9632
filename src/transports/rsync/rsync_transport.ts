// RsyncTransport: default.rsync — one rsync per batch with the NUL-separated include list on
// stdin (docs/lsyncd-compat.md#rsync-command-lines), one full rsync for init/recovery (docs/lsyncd-compat.md#init-and-full-transfers); local, host:path
// and rsync:// targets alike. Moves are split by the queue into Delete + Create (keepsMoves =
// false, docs/lsyncd-compat.md#paths-moves-and-excludes): rsync has no rename; directories created by a split move carry '***' so their
// whole subtree is sent (include_list.ts), or with `+` filter rules get the sync's rules inside
// them (scoped_include_list.ts). Batches that change file content pass --checksum, so rsync
// neither skips a same-size rewrite within the second nor rewrites a file the target already
// holds (batch_argv.ts).
// A local target's root is checked before each batch (target_root.ts).
//
// An rsync daemon target (daemon_target.ts) gets --contimeout/--timeout unless the user set them,
// and connect() (Transport contract): before the first run, and after a run that could not reach
// the daemon, it waits for the daemon's greeting outside the process slots (bounded by
// connectTimeout), so a dead or silent daemon never holds a slot; while runs reach it, connect()
// is ok at once (no extra connection).
// For a remote target, failures that mean "cannot connect" are marked `unreachable`
// (exit_outcome.ts cannotConnect); a local target has no connection to lose.
//
// Exit codes map through the sync's rsyncExitCodes (defaults docs/lsyncd-compat.md#exit-codes-of-transfers, user `exitcodes` merged on
// top): ok / again / die. A binary that cannot be started is `die` with the fix in the reason.
//
// Syncs with a delay under STANDBY_MAX_DELAY_S keep the next batch rsync started and waiting
// for its include list (src/process/standby_child.ts): one idle rsync process per such sync, in
// exchange for about a millisecond less per change. At longer delays that millisecond is
// noise, so no process is kept. Only when `rsync.binary` is an ELF program: a script wrapper
// (`binary = "/usr/local/bin/my-rsync"`) may decide things when it starts — check a mount, take
// a lock, read a flag — and must see the moment of the transfer, not of the previous one.
// And only around small batches (smallBatch below): the millisecond matters only when the
// transfer itself takes milliseconds, and large transfers measure slower with a standby around,
// whether they run through it or beside it (the 200 MiB row of bench/RESULTS.md). So a standby
// is started only after a small batch, serves only a small batch, and is killed (having touched
// nothing) when a large one comes; after a full transfer or a large batch, the next change
// starts rsync fresh.
import { lstatSync } from 'node:fs';

import type { NormalizedRsyncSync, ResolvedRsyncOptions } from '../../config/schema.js';
import { describeCommand, runCommand } from '../../process/process_runner.js';
import { StandbyChild } from '../../process/standby_child.js';
import { isElfExecutable } from '../../system/find_binary.js';
import type { FullOptions, Transport, TransferContext, TransferOutcome, TransferReport } from '../transport.js';
import type { RuleList } from '../../filters/rule_list.js';
import type { Delay } from '../../queue/events.js';
import { toBytes } from '../../paths/byte_path.js';
import type { Command } from '../../process/command.js';
import { type ExitTable, processOutcome } from '../exit_outcome.js';
import { localTarget } from '../local_target.js';
import { ROOT_PARENT_MISSING, TargetRoot, rootParentMissing } from '../target_root.js';
import { receiverRejectedWindow, WINDOW_REJECTED } from './content_compare.js';
import { rsyncBatchCommand } from './batch_argv.js';
import { boundedRsync, daemonAddress, probeDaemon } from './daemon_target.js';
import { rsyncFailureLine } from './error_line.js';
import { rsyncBinary } from './flags.js';
import { rsyncFullCommand } from './full_argv.js';
import { hasContentChanges, type IncludeEntry, includeEntriesFromDelays } from './include_list.js';
import { rsyncTargetHasEntries } from './list_target.js';
import { parseRsyncReport } from './rsync_report.js';

export interface SyncRuleSet {
  readonly rules: RuleList;
  readonly hasFilters: boolean;
}

export interface RunRsyncOptions {
  readonly standby?: StandbyChild | undefined;
  /** The target is on another machine: a failure to reach it is `unreachable` (cannotConnect). */
  readonly remote: boolean;
  /** An event batch (not a full transfer): a missing remote root is noticed only here. */
  readonly batch?: boolean;
  readonly onWindowRejected?: () => void;
}

/** Runs one rsync command and maps its ending to a TransferReport. */
export async function runRsync(cmd: Command, exitCodes: ExitTable, ctx: TransferContext, opts: RunRsyncOptions): Promise<TransferReport> {
  const { standby, onWindowRejected } = opts;
  const remoteBatch = opts.remote && opts.batch === true;
  if (ctx.log.enabled('Exec')) ctx.log.debug('Exec', describeCommand(cmd));
  const stdoutLines: string[] = [];
  const res = await runCommand(cmd, {
    standby,
    signal: ctx.signal,
    onLine: (stream, line) => {
      if (stream === 'stdout') stdoutLines.push(line);
      if (line.trim() !== '') ctx.log.normal(`${cmd.binary}: ${line}`);
    },
  });
  const outcome = processOutcome(res, exitCodes, {
    cannotStart: (e) => (e.code === 'ENOENT' ? `${cmd.binary} not found: install rsync or set rsync.binary to its path` : `cannot start ${cmd.binary}: ${e.message}`),
    killed: (signal) => `${cmd.binary} was killed by ${signal ?? 'a signal'}`,
    exited: (code) => {
      const cause = rsyncFailureLine(res.stderrTail);
      return `${cmd.binary} exited with code ${code}${cause !== undefined ? `: ${cause}` : ''}`;
    },
  }, opts.remote ? 'rsync' : undefined);
  if (outcome.kind === 'ok') return { outcome, ...parseRsyncReport(stdoutLines) };
  if (onWindowRejected !== undefined && receiverRejectedWindow(res.code, res.stderrTail)) {
    onWindowRejected();
    return { outcome: { kind: 'again', reason: WINDOW_REJECTED } };
  }
  // A remote batch that could not create the target root: resync fully (target_root.ts).
  const resync = remoteBatch && res.code !== null && rootParentMissing(res.stderrTail) ? { fullResync: ROOT_PARENT_MISSING } : {};
  return { outcome, ...resync };
}

/** Syncs with a shorter delay keep a standby rsync (see the header). */
export const STANDBY_MAX_DELAY_S = 1;
/** A batch the standby serves: at most this many delays, of regular files this large in all. */
export const STANDBY_MAX_DELAYS = 8;
export const STANDBY_MAX_BYTES = 1 << 20;

/**
 * Few delays, no whole directory trees, and at most STANDBY_MAX_BYTES of listed regular files
 * (lstat of each: a handful of syscalls, only for batches this small). `source` ends with "/".
 */
export function smallBatch(source: string, delays: readonly Delay[]): boolean {
  if (delays.length > STANDBY_MAX_DELAYS) return false;
  let bytes = 0;
  for (const d of delays) {
    if (d.kind === 'Full' || (d.isDir && (d.fromMove || d.kind === 'Move'))) return false;
    if (d.isDir || d.kind === 'Delete') continue;
    let st;
    try {
      st = lstatSync(Buffer.concat([toBytes(source.slice(0, -1)), toBytes(d.path)]), { throwIfNoEntry: false });
    } catch {
      return false; // cannot size it: start rsync fresh
    }
    if (st?.isFile()) bytes += st.size;
    if (bytes > STANDBY_MAX_BYTES) return false;
  }
  return true;
}

export class RsyncTransport implements Transport {
  readonly keepsMoves = false;
  readonly batchOptions = {};
  readonly description: string;
  private standby: StandbyChild | undefined;
  /** Short delay and an ELF `rsync.binary` (see the header); decided at the first batch. */
  private standbyWanted: boolean | undefined;
  private closed = false;
  /** The target's rsync turned `--modify-window=-1` down: batches compare by checksum (content_compare.ts). */
  private receiverLacksWindow = false;
  /** The target directory when it is on this machine (checked before each batch, target_root.ts). */
  private readonly localRoot: TargetRoot | undefined;
  /** sync.rsync, with the daemon bounds for a daemon target (daemon_target.ts). */
  private readonly rsync: ResolvedRsyncOptions;
  /** Daemon targets only (see the header). */
  readonly connect?: (ctx: TransferContext) => Promise<TransferOutcome>;
  /** Not known to answer (start, or the last run could not reach it): connect() probes first. */
  private mustProbe = true;

  constructor(
    private readonly sync: NormalizedRsyncSync,
    private readonly ruleSet: SyncRuleSet,
  ) {
    this.description = `${sync.source} -> ${sync.target}`;
    const local = localTarget(sync);
    this.localRoot = local === undefined ? undefined : new TargetRoot(local);
    const daemon = daemonAddress(sync.target, sync.rsync);
    this.rsync = boundedRsync(sync.target, sync.rsync, sync.connectTimeout);
    if (daemon !== undefined) {
      this.connect = async (ctx) => {
        if (!this.mustProbe) return { kind: 'ok' };
        const out = await probeDaemon(daemon, sync.connectTimeout * 1000, ctx.signal);
        if (out.kind === 'ok') this.mustProbe = false;
        return out;
      };
    }
  }

  /** A run that could not reach the target makes connect() probe again. */
  private noted(report: TransferReport): TransferReport {
    if (report.outcome.kind === 'again' && report.outcome.unreachable === true) this.mustProbe = true;
    return report;
  }

  async full(ctx: TransferContext, opts?: FullOptions): Promise<TransferReport> {
    const cmd = rsyncFullCommand({
      rsync: this.rsync,
      delete: opts?.withoutDelete === true ? false : this.sync.delete,
      source: this.sync.source,
      target: this.sync.target,
      hasFilters: this.ruleSet.hasFilters,
      rules: this.ruleSet.rules.rules,
    });
    this.standby?.dispose();
    this.standby = undefined;
    const report = this.noted(await runRsync(cmd, this.sync.rsyncExitCodes, ctx, { remote: this.localRoot === undefined }));
    if (report.outcome.kind === 'ok') this.localRoot?.transferred();
    return report;
  }

  targetHasEntries(ctx: TransferContext): Promise<boolean | undefined> {
    return rsyncTargetHasEntries({ rsync: this.rsync, target: this.sync.target }, ctx);
  }

  async batch(delays: readonly Delay[], ctx: TransferContext): Promise<TransferReport> {
    const gone = this.localRoot?.gone();
    if (gone !== undefined) return { outcome: { kind: 'ok' }, fullResync: gone };
    const cmd = this.batchCommand(includeEntriesFromDelays(delays), hasContentChanges(delays));
    this.standbyWanted ??= this.sync.delay < STANDBY_MAX_DELAY_S && isElfExecutable(rsyncBinary(this.rsync));
    const small = this.standbyWanted && smallBatch(this.sync.source, delays);
    const standby = this.standby;
    this.standby = undefined;
    const run = runRsync(cmd, this.sync.rsyncExitCodes, ctx, {
      standby: small ? standby : undefined,
      remote: this.localRoot === undefined,
      batch: true,
      onWindowRejected: () => {
        this.receiverLacksWindow = true;
      },
    });
    standby?.dispose(); // taken (a no-op), or not used: killed
    return this.noted(await (small ? this.thenStandby(run) : run));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.standby?.dispose();
    this.standby = undefined;
  }

  private batchCommand(entries: readonly IncludeEntry[], contentChanged: boolean) {
    return rsyncBatchCommand({
      rsync: this.rsync,
      delete: this.sync.delete,
      source: this.sync.source,
      target: this.sync.target,
      entries,
      rules: this.ruleSet.rules.rules,
      contentChanged,
      receiverLacksWindow: this.receiverLacksWindow,
    });
  }

  /** Once the small batch `run` has ended, starts the standby for the next one. */
  private async thenStandby(run: Promise<TransferReport>): Promise<TransferReport> {
    try {
      return await run;
    } finally {
      if (!this.closed && !this.standby) {
        // The usual batch: content changes, no whole subtree (other argv: started fresh).
        const next = this.batchCommand([], true);
        this.standby = StandbyChild.start(next.binary, next.args);
      }
    }
  }
}
