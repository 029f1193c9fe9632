/**
 * The rsyncssh transport (lsyncd `default.rsyncssh`, docs/lsyncd-compat.md#rsyncssh-mode-keys, docs/lsyncd-compat.md#rsyncssh-commands): file data
 * goes by rsync over ssh to `host:targetdir`; moves are executed on the target with `mv` over
 * ssh instead of being re-sent.
 *
 * Contract (src/transports/transport.ts):
 *   - keepsMoves = true; batchOptions.movesSeparately: a batch holds only Moves or only
 *     non-Moves (lsyncd's `'break'` at the first Move keeps order, docs/lsyncd-compat.md#rsyncssh-commands). A mixed batch is still
 *     handled: consecutive runs of each class execute in order.
 *   - Moves → ONE ssh call for the whole batch (`ssh … HOST sh -s`, script on stdin, every name
 *     single-quoted byte-exactly: remote_moves.ts). lsyncd runs one ssh per move (lsyncd#367).
 *     A move the script reports failed (`F <i>`) is re-queued as Create(destination, fromMove)
 *     so rsync transfers the content instead; with delete true/'running' the script removes the
 *     origin. lsyncd dies on the non-zero exit of a failed `mv` (lsyncd#719); our script exits 0
 *     and reports per move, so only ssh's own failure codes reach `sshExitCodes` (255 → again).
 *   - Move ends that are excluded (src/filters/move_filter.ts, docs/lsyncd-compat.md#paths-moves-and-excludes): origin excluded →
 *     Create(destination); destination excluded → Delete(origin); both → dropped. The runner may
 *     already have done this; doing it again is harmless. A Move touching the root is never sent
 *     to `mv` (it becomes a Create so rsync handles it).
 *   - Other delays → ONE rsync with the NUL-separated include list (docs/lsyncd-compat.md#rsync-command-lines) to `host:targetdir`,
 *     exit code through `rsyncExitCodes` (docs/lsyncd-compat.md#exit-codes-of-transfers); content batches pass --checksum
 *     (rsync/batch_argv.ts). A failure quotes the stderr line naming the cause
 *     (rsync/error_line.ts). Excluded paths are dropped from the list (a
 *     Full-marker delay makes the batch a full transfer).
 *   - full() → rsync full transfer (docs/lsyncd-compat.md#init-and-full-transfers) with the sync's filters/excludes and delete mode.
 *   - ssh and rsync's `--rsh` share one persistent ControlMaster per target (ssh_master.ts), so
 *     a change pays no new TCP connection or handshake. Starting that master is itself an ssh
 *     call: its failure is classified with `sshExitCodes` (255 → again).
 *   - connect() (Transport contract) starts that master, so the runner can wait for it outside
 *     the process slots; cheap once it is up. Without a managed master it resolves ok at once
 *     (every call then connects on its own, bounded by the same timeout).
 *   - Every ssh connection (master, mux clients, direct ones) is bounded by the sync's
 *     connectTimeout and ServerAlive keep-alives unless ssh{} sets them (ssh_argv.ts
 *     withLinkBounds); a master start as a whole by HANDSHAKE_TIMEOUTS × connectTimeout. A failure that means the target could not be reached is marked
 *     `unreachable` (exit_outcome.ts cannotConnect: ssh 255, rsync 255/10/12/30/35).
 *   - Never throws: builder errors (e.g. an ssh option rsync's --rsh cannot carry) are `die`
 *     with the message; a binary that cannot be started is `die` (retrying would not help).
 *   - No shell locally (runCommand); the only shell is the remote `sh -s` reading our script.
 */
import type { NormalizedRsyncsshSync } from '../../config/schema.js';
import { describeCommand, runCommand, type RunResult } from '../../process/process_runner.js';
import type { FullOptions, TransferContext, TransferOutcome, TransferReport, Transport } from '../transport.js';
import { classifyMove } from '../../filters/move_filter.js';
import type { RuleList } from '../../filters/rule_list.js';
import { type SyncPath, displayPath, toByteString } from '../../paths/byte_path.js';
import type { BatchOptions } from '../../queue/delay_queue.js';
import type { Delay, QueueEvent } from '../../queue/events.js';
import type { Command } from '../../process/command.js';
import { type ConnectingTool, type ExitTable, processOutcome } from '../exit_outcome.js';
import {
  type RemoteMove,
  type SshControl,
  hasContentChanges,
  includeEntriesFromDelays,
  parseMoveFailures,
  remoteMovesCommand,
  rshOption,
  rsyncBatchCommand,
  rsyncFailureLine,
  rsyncFullCommand,
  rsyncsshDestination,
  rsyncTargetHasEntries,
} from '../rsync/index.js';
import { receiverRejectedWindow, WINDOW_REJECTED } from '../rsync/content_compare.js';
import { parseRsyncReport } from '../rsync/rsync_report.js';
import { ROOT_PARENT_MISSING, rootParentMissing } from '../target_root.js';
import { type FanoutGroup, type FanoutMember, fanoutGroupFor, releaseFanoutGroup } from './fanout_group.js';
import { withLinkBounds } from './ssh_argv.js';
import { type SshMaster, type SshMasterLease, type SshMasterOptions, SshMasterRegistry, defaultSshMasters, wantsManagedMaster } from './ssh_master.js';
import type { ResolvedSshOptions } from '../../config/schema.js';

/**
 * A master start (TCP connect, banner, key exchange, login) ends after this many connectTimeouts:
 * ssh's ConnectTimeout bounds only the connect and the banner, so a server that greets and then
 * stalls would otherwise keep the start waiting for ever.
 */
export const HANDSHAKE_TIMEOUTS = 3;

export interface RsyncsshRules {
  readonly rules: RuleList;
  readonly hasFilters: boolean;
}

export interface RsyncsshTransportOptions {
  /** Where masters are shared; default: the process-wide registry. */
  readonly masters?: SshMasterRegistry;
  /** false: no ControlMaster (every call connects anew, like lsyncd). Default true. */
  readonly controlMaster?: boolean;
  /** ControlPersist and runtime-dir parent for the master. */
  readonly master?: SshMasterOptions;
  /** false: never share a change with other targets through rsync batch mode. Default true. */
  readonly batchFanout?: boolean;
}


interface Step {
  readonly outcome: TransferOutcome;
  readonly requeue: QueueEvent[];
  /** What rsync says it sent (--stats / -v output, rsync/rsync_report.ts), for the metrics. */
  readonly filesSent?: number;
  readonly bytesSent?: number;
  /** TransferReport.fullResync: the target root could not be created. */
  readonly fullResync?: string;
}

const OK: TransferOutcome = { kind: 'ok' };

/** Whether `p` names the sync root itself (empty, or only slashes). */
function isSyncRoot(p: SyncPath): boolean {
  return /^\/*$/.test(toByteString(p));
}

/** A failed ssh call; `tail`: what of stderr to quote (default: all of its tail; rsync: rsyncFailureLine). */
function failure(what: string, r: RunResult, table: ExitTable, tool: ConnectingTool = 'ssh', tail = r.stderrTail.replace(/\r/g, '').trim()): TransferOutcome {
  const quoted = tail !== '' ? `: ${tail}` : '';
  return processOutcome(
    r,
    table,
    {
      cannotStart: (e) => `cannot start ${what}: ${e.message}`,
      killed: (signal) => `${what} failed with signal ${signal ?? 'none'}${quoted}`,
      exited: (code) => `${what} failed with exit code ${code}${quoted}`,
    },
    tool,
  );
}

/** A failed rsync run, quoting the line of stderr that names the cause (rsync/error_line.ts). */
function rsyncFailure(r: RunResult, table: ExitTable): TransferOutcome {
  return failure('rsync', r, table, 'rsync', rsyncFailureLine(r.stderrTail) ?? '');
}

export class RsyncsshTransport implements Transport {
  readonly description: string;
  readonly keepsMoves = true;
  readonly batchOptions: BatchOptions = { movesSeparately: true };
  private readonly destination: string;
  /** sync.ssh with the link bounds (withLinkBounds): what every ssh call and --rsh use. */
  private readonly ssh: ResolvedSshOptions;
  private readonly registry: SshMasterRegistry;
  private readonly useMaster: boolean;
  private lease: SshMasterLease | undefined;
  private closed = false;
  /** This target's place among the targets of the source that share batch-mode rounds. */
  private readonly fanout: { group: FanoutGroup; member: FanoutMember } | undefined;
  /** The target's rsync turned `--modify-window=-1` down: batches compare by checksum (content_compare.ts). */
  private receiverLacksWindow = false;

  constructor(
    private readonly sync: NormalizedRsyncsshSync,
    private readonly rules: RsyncsshRules,
    private readonly opts: RsyncsshTransportOptions = {},
  ) {
    this.destination = rsyncsshDestination(sync.host, sync.targetdir);
    this.description = `${sync.source} -> ${this.destination}`;
    this.ssh = withLinkBounds(sync.ssh, sync.connectTimeout);
    this.registry = opts.masters ?? defaultSshMasters;
    this.useMaster = (opts.controlMaster ?? true) && wantsManagedMaster(sync.ssh);
    if (opts.batchFanout ?? true) {
      const group = fanoutGroupFor(sync, rules.rules.rules);
      const member: FanoutMember = {
        sync,
        ssh: this.ssh,
        connect: async (ctx) => {
          const c = await this.link(ctx);
          return 'outcome' in c ? { report: { outcome: c.outcome } } : c;
        },
        plain: async (delays, ctx) => {
          const step = await this.plainTransfer(delays, ctx);
          return { outcome: step.outcome, ...(step.filesSent !== undefined ? { filesSent: step.filesSent } : {}), ...(step.bytesSent !== undefined ? { bytesSent: step.bytesSent } : {}), ...(step.fullResync !== undefined ? { fullResync: step.fullResync } : {}) };
        },
      };
      group.join(member);
      this.fanout = { group, member };
    }
  }

  /** The shared ControlMaster (created on first use); undefined when disabled. */
  get master(): SshMaster | undefined {
    if (!this.useMaster || this.closed) return undefined;
    this.lease ??= this.registry.acquire(this.ssh, this.sync.host, this.opts.master);
    return this.lease.master;
  }

  async targetHasEntries(ctx: TransferContext): Promise<boolean | undefined> {
    const control = await this.link(ctx);
    if ('outcome' in control) return undefined;
    return rsyncTargetHasEntries({ rsync: this.sync.rsync, target: this.destination, extraRsh: rshOption(this.ssh, control.control) }, ctx);
  }

  async full(ctx: TransferContext, opts?: FullOptions): Promise<TransferReport> {
    try {
      const control = await this.link(ctx);
      if ('outcome' in control) return { outcome: control.outcome };
      const cmd = rsyncFullCommand({
        rsync: this.sync.rsync,
        delete: opts?.withoutDelete === true ? false : this.sync.delete,
        source: this.sync.source,
        target: this.destination,
        hasFilters: this.rules.hasFilters,
        rules: this.rules.rules.rules,
        extraRsh: rshOption(this.ssh, control.control),
      });
      ctx.log.normal(`Calling rsync for a full transfer of ${this.description}`);
      const r = await this.run(cmd, ctx, false);
      return { outcome: r.code === 0 ? OK : rsyncFailure(r, this.sync.rsyncExitCodes) };
    } catch (e) {
      return { outcome: { kind: 'die', reason: `rsyncssh full transfer: ${(e as Error).message}` } };
    }
  }

  async batch(delays: readonly Delay[], ctx: TransferContext): Promise<TransferReport> {
    try {
      if (delays.some((d) => d.kind === 'Full')) return await this.full(ctx);
      const requeue: QueueEvent[] = [];
      let filesSent = 0;
      let bytesSent = 0;
      // Consecutive runs of moves / non-moves, in order (normally the whole batch is one run).
      let i = 0;
      while (i < delays.length) {
        const isMove = delays[i]!.kind === 'Move';
        let j = i;
        while (j < delays.length && (delays[j]!.kind === 'Move') === isMove) j++;
        const run = delays.slice(i, j);
        const step = isMove ? await this.moves(run, ctx) : await this.transfer(run, ctx);
        requeue.push(...step.requeue);
        filesSent += step.filesSent ?? 0;
        bytesSent += step.bytesSent ?? 0;
        if (step.outcome.kind !== 'ok') {
          return { outcome: step.outcome, requeue, filesSent, bytesSent, ...(step.fullResync !== undefined ? { fullResync: step.fullResync } : {}) };
        }
        i = j;
      }
      return requeue.length > 0 ? { outcome: OK, requeue, filesSent, bytesSent } : { outcome: OK, filesSent, bytesSent };
    } catch (e) {
      return { outcome: { kind: 'die', reason: `rsyncssh batch: ${(e as Error).message}` } };
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.fanout) {
      this.fanout.group.leave(this.fanout.member);
      releaseFanoutGroup(this.fanout.group);
    }
    const lease = this.lease;
    this.lease = undefined;
    await lease?.release();
  }

  /** The master is started (Transport contract: outside the runner's process slots). */
  async connect(ctx: TransferContext): Promise<TransferOutcome> {
    try {
      const link = await this.link(ctx);
      return 'outcome' in link ? link.outcome : OK;
    } catch (e) {
      return { kind: 'die', reason: `rsyncssh connection: ${(e as Error).message}` };
    }
  }

  /** Makes sure the master is up; the control options for ssh/rsync, or a failure outcome. */
  private async link(ctx: TransferContext): Promise<{ control: SshControl | undefined } | { outcome: TransferOutcome }> {
    if (this.closed) return { outcome: { kind: 'again', reason: 'transport closed' } };
    const master = this.master;
    if (master === undefined) return { control: undefined };
    if (master.up) return { control: master.control };
    const limitMs = this.sync.connectTimeout * HANDSHAKE_TIMEOUTS * 1000;
    const limit = AbortSignal.timeout(limitMs);
    const failed = await master.ensure(AbortSignal.any([ctx.signal, limit]));
    if (failed === undefined) return { control: master.control };
    if (limit.aborted && !ctx.signal.aborted) {
      const reason = `ssh master connection to ${this.sync.host}: no login within ${limitMs / 1000} s (the server answers but does not complete the handshake)`;
      return { outcome: { kind: 'again', reason, unreachable: true } };
    }
    const outcome = failure(`ssh master connection to ${this.sync.host}`, failed, this.sync.sshExitCodes);
    // An ok-classified failure (custom tables) still has no master: continue without sharing.
    return outcome.kind === 'ok' ? { control: undefined } : { outcome };
  }

  private run(cmd: Command, ctx: TransferContext, captureStdout: boolean): Promise<RunResult> {
    ctx.log.debug('Exec', describeCommand(cmd));
    const name = cmd.binary;
    return runCommand(cmd, {
      signal: ctx.signal,
      captureStdout,
      onLine: (stream, line) => {
        if (line === '') return;
        if (stream === 'stderr') ctx.log.warn(`${name}: ${line}`);
        else ctx.log.debug('Exec', `${name}: ${line}`);
      },
    });
  }

  /** A run of Move delays: one ssh call (see header). */
  private async moves(delays: readonly Delay[], ctx: TransferContext): Promise<Step> {
    const requeue: QueueEvent[] = [];
    const moves: RemoteMove[] = [];
    const rules = this.rules.rules;
    for (const d of delays) {
      const dest = d.destination;
      if (dest === undefined) {
        ctx.log.warn(`Move without destination for ${displayPath(d.path)} ignored`);
        continue;
      }
      const fate = rules.active ? classifyMove(rules, d.path, dest) : 'move';
      if (fate === 'drop') continue;
      if (fate === 'delete-origin') {
        requeue.push({ kind: 'Delete', path: d.path });
        continue;
      }
      if (fate === 'create-destination' || isSyncRoot(d.path) || isSyncRoot(dest)) {
        if (!isSyncRoot(dest)) requeue.push({ kind: 'Create', path: dest, fromMove: true });
        continue;
      }
      moves.push({ origin: d.path, destination: dest });
    }
    if (moves.length === 0) return { outcome: OK, requeue };
    const conn = await this.link(ctx);
    if ('outcome' in conn) return { outcome: conn.outcome, requeue };
    const cmd = remoteMovesCommand({
      ssh: this.ssh,
      host: this.sync.host,
      targetdir: this.sync.targetdir,
      moves,
      delete: this.sync.delete,
      ...(conn.control !== undefined ? { control: conn.control } : {}),
    });
    ctx.log.normal(
      moves.length === 1
        ? `Moving ${displayPath(moves[0]!.origin)} -> ${displayPath(moves[0]!.destination)}`
        : `Moving ${moves.length} paths on ${this.sync.host} in one ssh call`,
    );
    const r = await this.run(cmd, ctx, true);
    if (r.code !== 0) {
      const outcome = failure('ssh (moves)', r, this.sync.sshExitCodes);
      if (outcome.kind !== 'ok') return { outcome, requeue };
    }
    for (const i of parseMoveFailures(r.stdout)) {
      const mv = moves[i];
      if (mv === undefined) continue;
      ctx.log.warn(`Move ${displayPath(mv.origin)} -> ${displayPath(mv.destination)} failed on ${this.sync.host}; transferring the destination instead`);
      requeue.push({ kind: 'Create', path: mv.destination, fromMove: true });
    }
    return { outcome: OK, requeue };
  }

  /**
   * A run of Create/Modify/Attrib/Delete delays: one rsync with the include list, or this
   * target's part of a batch-mode round shared with the other targets of the source
   * (fanout_group.ts), which falls back to that same rsync.
   */
  private async transfer(delays: readonly Delay[], ctx: TransferContext): Promise<Step> {
    const rules = this.rules.rules;
    const wanted = rules.active ? delays.filter((d) => !rules.isExcluded(d.path)) : delays;
    if (includeEntriesFromDelays(wanted).length === 0) return { outcome: OK, requeue: [] };
    if (this.fanout === undefined) return this.plainTransfer(wanted, ctx);
    const { outcome, filesSent, bytesSent, fullResync } = await this.fanout.group.transfer(this.fanout.member, wanted, ctx);
    return { outcome, requeue: [], filesSent, bytesSent, ...(fullResync !== undefined ? { fullResync } : {}) };
  }

  /** One rsync with the include list of `wanted` (delays the sync does not exclude). */
  private async plainTransfer(wanted: readonly Delay[], ctx: TransferContext): Promise<Step> {
    const rules = this.rules.rules;
    const entries = includeEntriesFromDelays(wanted);
    const conn = await this.link(ctx);
    if ('outcome' in conn) return { outcome: conn.outcome, requeue: [] };
    const cmd = rsyncBatchCommand({
      rsync: this.sync.rsync,
      delete: this.sync.delete,
      source: this.sync.source,
      target: this.destination,
      entries,
      rules: rules.rules,
      extraRsh: rshOption(this.ssh, conn.control),
      contentChanged: hasContentChanges(wanted),
      receiverLacksWindow: this.receiverLacksWindow,
    });
    ctx.log.normal('Calling rsync with filter-list of new/modified files/dirs');
    const r = await this.run(cmd, ctx, true);
    if (receiverRejectedWindow(r.code, r.stderrTail)) {
      this.receiverLacksWindow = true;
      return { outcome: { kind: 'again', reason: WINDOW_REJECTED }, requeue: [] };
    }
    if (r.code !== 0) {
      // The root could not be created (its parent is gone): resync fully (target_root.ts).
      const resync = rootParentMissing(r.stderrTail) ? { fullResync: ROOT_PARENT_MISSING } : {};
      return { outcome: rsyncFailure(r, this.sync.rsyncExitCodes), requeue: [], ...resync };
    }
    return { outcome: OK, requeue: [], ...parseRsyncReport(r.stdout.split('\n')) };
  }
}
