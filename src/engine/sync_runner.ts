// SyncRunner: one sync's life — its delay queue, when batches run, what happens after each.
//
// Contract:
//   - events (record_translation.ts) are ingested into a pure DelayQueue (src/queue); the runner
//     owns the only timer, set to the queue's next wake-up, and asks the Scheduler for a slot;
//   - a batch runs through the Transport; outcome ok → completed; again → retried with
//     exponential backoff from `delay` (retry_backoff.ts, capped at 5 min) and merged with
//     events that arrive meanwhile; die → THIS sync stops with a clear error while every other
//     sync keeps running (lsyncd kills the whole daemon, lsyncd#209/#678/#654/#97);
//   - startup (docs/lsyncd-compat.md#startup-order): the Full "init" marker is queued before the watch exists, so events that
//     arrive during the init transfer run after it; with init=false there is none; a failed
//     init transfer (`again` or `die`) is retried with backoff when `insist` is set; otherwise
//     it stops the sync, and when the engine set `startupFailure` (the syncs of the daemon's
//     start-up, not those a reload adds) it is reported there instead: the daemon ends with 255;
//     `initSettled` resolves once the init transfer has an outcome (at once with init=false);
//   - Overflow → a Full resync of this sync only; queued events are kept (docs/lsyncd-compat.md#queue-overflow, without
//     lsyncd's whole-daemon restart); so does a transport's `fullResync` (target root gone);
//   - the mass-delete guard (delete_guard.ts, bound in delete_guard_host.ts) sees every event
//     before the queue and may set deletes aside or hold them; a full transfer runs without
//     --delete while it holds; release() hands the held deletes back;
//   - a directory that cannot be watched for lack of watches makes a running sync *degraded*
//     (status() reports the state 'degraded' with the count); unwatched_dirs.ts retries its
//     watch and, once set, queues the directory's whole subtree for transfer;
//   - runWhileIdle() runs a side task (the periodic drift check) while the sync is idle, without
//     a scheduler slot; transfers wait for it, and one that falls due aborts it;
//   - a transport with connect() (rsyncssh: its ssh master) is connected BEFORE the runner takes
//     a Scheduler slot: once a batch is due, connect() runs outside the slots, and only when it
//     succeeded does tryStart() take a slot (and the batch). A connect that fails backs off with
//     retry_backoff.ts on its own count (capped at MAX_PROBE_RETRY_MS), without taking the batch: the queue keeps collecting and
//     collapsing events, and the sync catches up on exactly those once the target answers (no
//     full resync unless the transport asks for one). A failure marked `unreachable` — from
//     connect() or from a transfer (exit_outcome.ts cannotConnect) — shows the sync as *down*
//     with the reason and the next attempt, instead of *retrying*. A failed connect while the
//     init transfer is pending counts as that transfer failing (insist decides, as above);
//   - `crontab` (cron_timer.ts): each match queues a Full transfer, absorbed by a Full already
//     waiting (DelayQueue.addFull); armed by activate(), replaced by setCrontab() (a reload that
//     changes only the crontab), cleared when the sync stops or dies;
//   - `gate` (the sync's tunnel, tunnel.ts, set by the engine): no transfer starts while it is
//     closed; it is started by activate() and stopped after the sync's last transfer ended;
//   - with a ledger (src/state/sync_ledger.ts) each batch's paths are stat()ed before its transfer
//     and recorded after it succeeded; a ledger that allows it replaces the init transfer by a
//     catch-up: once the watch is set (activate), the difference between the source and the
//     manifest is queued as ordinary events ("catch-up: N changes");
//   - a bounded backlog: with a ledger, a sync whose target cannot take transfers (down or
//     retrying) and whose queue reaches `maxBacklog` waiting changes drops the queue and every
//     event after it (*spilled*) — nothing is running then, and nothing of the dropped queue was
//     recorded, so the difference between the source and the manifest is exactly what the
//     target misses. When the backoff ends (and connect() succeeded, for a transport that has
//     one), the ledger's catch-up replaces the dropped events (a full transfer instead while the
//     root is unsettled, or when a Full is already queued). Memory then stays bounded however
//     long the outage; a restart during it catches up the same way (docs/state.md);
//   - the source vanishing (RootGone) pauses the sync; the engine re-adds the watch when the
//     source is back and queues a Full resync — never an rsync of a missing source with
//     --delete.
// Time: queue times are performance.now() milliseconds; status times are wall-clock.
import type { NormalizedSync } from '../config/schema.js';
import type { RuleList } from '../filters/rule_list.js';
import type { Log } from '../log/log.js';
import { displayPath, type SyncPath } from '../paths/byte_path.js';
import { DelayQueue, type Batch } from '../queue/delay_queue.js';
import type { QueueEvent } from '../queue/events.js';
import { MAX_PROBE_RETRY_MS, MAX_RETRY_MS, retryDelayMs } from '../queue/retry_backoff.js';
import { deletesOnFull } from '../transports/delete_mode.js';
import type { DeleteGuard, DeleteHold } from './delete_guard.js';
import { createDeleteGuard } from './delete_guard_host.js';
import { overflowAdvice, watchErrorMessage } from '../watcher/watch_errors.js';
import type { RewatchResult } from '../watcher/watcher_port.js';
import type { TranslationSink } from './record_translation.js';
import type { SyncLedger } from '../state/sync_ledger.js';
import type { Schedulable, Scheduler } from './scheduler.js';
import type { TransferOutcome, Transport, TransferReport } from '../transports/transport.js';
import { UnwatchedDirs } from './unwatched_dirs.js';
import { CronTimer } from './cron_timer.js';
import type { TunnelStatus } from './tunnel.js';
import type { VerifyStatus } from './verify_status.js';

export type SyncState = 'starting' | 'running' | 'degraded' | 'retrying' | 'down' | 'source-gone' | 'dead' | 'stopped';

export interface SyncStatus {
  readonly name: string;
  readonly state: SyncState;
  readonly description: string;
  readonly waiting: number;
  readonly running: number;
  readonly lastSuccessAt: number | undefined;
  readonly lastError: string | undefined;
  readonly retryAt: number | undefined;
  readonly overflows: number;
  readonly transfersOk: number;
  readonly transfersFailed: number;
  /** Failed transfers handed back for a retry with backoff (`again`). */
  readonly transfersRetried: number;
  /** Files and bytes transferred, as far as the transport reports them (TransferReport). */
  readonly filesSent: number;
  readonly bytesSent: number;
  /** Age (ms) of the oldest change not yet transferred; 0 when in sync. */
  readonly lagMs: number;
  /** Set while the mass-delete guard holds this sync's deletes. */
  readonly deleteHold?: DeleteHold | undefined;
  /** Directories not watched for lack of inotify watches (each with its subtree); 0 = all watched. */
  readonly unwatchedDirs: number;
  /** When their watches are tried again (epoch ms), while there are any. */
  readonly watchRetryAt: number | undefined;
  /** The last periodic drift check (verifyInterval), once one has finished. */
  readonly verify?: VerifyStatus | undefined;
  /** When `crontab` queues the next full transfer (epoch ms), if it has one. */
  readonly nextFullSyncAt?: number | undefined;
  /** The sync's tunnel, if it has one. */
  readonly tunnel?: TunnelStatus | undefined;
  /** The backlog was dropped (maxBacklog); a catch-up from the state replaces it once the target answers. */
  readonly backlogDropped?: boolean | undefined;
}

/** What transfers wait for (the sync's tunnel, tunnel.ts). */
export interface TransferGate {
  readonly open: boolean;
  /** Starts it; `opened` is called whenever it opens. */
  start(opened: () => void): void;
  stop(): Promise<void>;
  status(): TunnelStatus;
}

const now = (): number => performance.now();

export class SyncRunner implements Schedulable, TranslationSink {
  readonly queue: DelayQueue;
  /** Per-sync cap; the engine may change it on reload. */
  maxProcesses: number;
  private state: SyncState = 'starting';
  private runningCount = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly abort = new AbortController();
  /** Aborts a connect() in progress at stop() (no grace: it transfers nothing). */
  private readonly connectAbort = new AbortController();
  /** connect() succeeded; the next transfer consumes it (each transfer connects first). */
  private linkReady = false;
  private connecting = false;
  /** No connect() before this time (performance.now() ms) after failed ones; their count. */
  private connectNotBefore = -Infinity;
  private connectFailures = 0;
  /** The init transfer is queued and has not succeeded yet. */
  private initPending = false;
  private lastSuccessAt: number | undefined;
  private lastError: string | undefined;
  private retryAt: number | undefined;
  private overflows = 0;
  private transfersOk = 0;
  private transfersFailed = 0;
  private transfersRetried = 0;
  private filesSent = 0;
  private bytesSent = 0;
  private oldestPendingAt: number | undefined;
  private idleWaiters: (() => void)[] = [];
  private inFlight = new Set<Promise<void>>();
  private guard: DeleteGuard | undefined;
  private ledger: SyncLedger | undefined;
  private catchUpPending = false;
  /** The backlog was dropped (see the header); events are dropped until resumeFromSpill(). */
  private spilled = false;
  /** No resume from a spill before this time (performance.now() ms); spills since the last success. */
  private resumeNotBefore = -Infinity;
  private spills = 0;
  /**
   * A transfer or connect failed since the last resume: only then may the queue be dropped again
   * (the catch-up that ends a spill queues its changes while the sync still shows the failure).
   */
  private failedSinceResume = true;
  private unwatched: UnwatchedDirs | undefined;
  /** The side task runWhileIdle() started, while it runs. */
  private sideTask: AbortController | undefined;
  /** The last periodic drift check; set by periodic_verify.ts, shown by status(). */
  verification: VerifyStatus | undefined;
  /** Set by the engine when the sync has a tunnel (see the header). */
  gate: TransferGate | undefined;
  private cron: CronTimer | undefined;
  private crontab: readonly string[];
  /** Set by the engine for the syncs of its start-up (see the header). */
  startupFailure: ((reason: string) => void) | undefined;
  private settleInit: () => void = () => {};
  /** Resolves once the init transfer succeeded, failed, or is being retried. */
  readonly initSettled = new Promise<void>((resolve) => (this.settleInit = resolve));

  constructor(
    readonly sync: NormalizedSync,
    readonly transport: Transport,
    private readonly scheduler: Scheduler,
    private readonly log: Log,
    private readonly insist: boolean,
  ) {
    this.maxProcesses = sync.maxProcesses;
    this.queue = new DelayQueue({
      delayMs: sync.delay * 1000,
      maxDelays: sync.maxDelays,
      splitMoves: !transport.keepsMoves,
    });
    this.crontab = sync.crontab ?? [];
    this.cron = this.crontab.length > 0 ? new CronTimer(this.crontab, () => this.cronTick()) : undefined;
  }

  /** A reload kept the sync with another crontab: the new schedule replaces the old one. */
  setCrontab(expressions: readonly string[]): void {
    if (expressions.length === this.crontab.length && expressions.every((e, i) => e === this.crontab[i])) return;
    this.cron?.stop();
    this.crontab = [...expressions];
    this.cron = expressions.length > 0 ? new CronTimer(expressions, () => this.cronTick()) : undefined;
    if (this.state !== 'starting' && this.state !== 'dead' && this.state !== 'stopped') this.cron?.start();
  }

  get running(): number {
    return this.runningCount;
  }

  get name(): string {
    return this.sync.name;
  }

  /**
   * Queues the init transfer (call before the watch is added, docs/lsyncd-compat.md#startup-order),
   * or, when the ledger allows it, a catch-up that activate() runs once the watch is set.
   */
  queueInit(ledger?: SyncLedger): void {
    this.ledger = ledger;
    if (!this.sync.init) return this.settleInit();
    // A catch-up's events set the lag as they arrive.
    if (ledger !== undefined && ledger.fullReason === undefined) return void (this.catchUpPending = true);
    this.initPending = true;
    this.queue.addFull(now(), 'init');
    // Until the init transfer has finished the target lags behind everything in the source.
    if (this.oldestPendingAt === undefined) this.oldestPendingAt = Date.now();
  }

  /** Arms the mass-delete guard with the sync's rules (call once, before events arrive). */
  guardDeletes(rules: RuleList): void {
    this.guard = createDeleteGuard({ sync: this.sync, rules, queue: this.queue, log: this.log, changed: () => this.guardChanged() });
  }

  /** Applies the held deletes (operator's release). Undefined when nothing was held. */
  releaseDeletes(): number | undefined {
    return this.guard?.release();
  }

  private guardChanged(): void {
    this.reschedule();
    this.scheduler.pump();
    this.checkIdle();
  }

  /** The watch is set: transfers may start. */
  activate(): void {
    if (this.state === 'starting' || this.state === 'source-gone') this.state = 'running';
    this.gate?.start(this.gateOpened);
    this.cron?.start();
    if (this.catchUpPending) this.catchUp();
    this.reschedule();
  }

  private catchUp(): void {
    this.catchUpPending = false;
    try {
      const n = this.ledger!.catchUp((ev) => this.event(ev));
      this.log.normal(`${this.name}: catch-up: ${n} changes`);
    } catch (e) {
      this.log.warn(`${this.name}: full init transfer: the catch-up failed (${(e as Error).message})`);
      this.initPending = true;
      this.resyncAll('init');
      return;
    }
    this.settleInit();
  }

  /** The gate opened: what waited for it may start. */
  private readonly gateOpened = (): void => {
    this.reschedule();
    this.scheduler.pump();
  };

  private cronTick(): void {
    if (this.state !== 'running' && this.state !== 'retrying') return; // source gone: its return queues a Full
    if (this.queue.addFull(now(), 'crontab')) {
      // No lag is set: the lag counts changes seen and not yet sent, and a tick is not one.
      this.log.debug('Info', `${this.name}: crontab triggered full sync`);
      this.reschedule();
    } else this.log.debug('Info', `${this.name}: crontab: a full sync is already waiting`);
  }

  /** Directories that cannot be watched are retried through `rewatch` (unwatched_dirs.ts). */
  repairWatchesWith(rewatch: (rel: Buffer) => Promise<RewatchResult>): void {
    this.unwatched = new UnwatchedDirs({
      rewatch,
      // The root itself (watched at last after an insist start-up): the whole tree.
      resync: (dir) => (dir === '/' ? this.resyncAll('root watched again') : this.event({ kind: 'Create', path: dir, fromMove: true })),
      warn: (m) => this.log.warn(`${this.name}: ${m}`),
      normal: (m) => this.log.normal(`${this.name}: ${m}`),
    });
  }

  // --- TranslationSink ---------------------------------------------------------------------

  event(ev: QueueEvent): void {
    if (this.state === 'dead' || this.state === 'stopped') return;
    if (this.log.enabled('Delay'))
      this.log.debug('Delay', `${ev.kind} ${displayPath(ev.path)}${ev.kind === 'Move' ? ` -> ${displayPath(ev.destination)}` : ''}`);
    if (this.spilled) {
      // The catch-up that ends the spill finds this change in the source.
      this.unwatched?.observe(ev);
      return;
    }
    if (this.guard?.intercept(ev.kind, ev.path, ev.kind === 'Move' ? ev.destination : undefined)) return;
    if (this.oldestPendingAt === undefined) this.oldestPendingAt = Date.now();
    this.unwatched?.observe(ev);
    this.queue.ingest(ev, now());
    this.maybeSpill();
    this.reschedule();
  }

  /** Drops the backlog when the header's conditions hold (the one place that decides it). */
  private maybeSpill(): void {
    if (this.spilled || this.ledger === undefined || !this.failedSinceResume) return;
    if (this.state !== 'down' && this.state !== 'retrying') return;
    if (this.queue.waiting < this.sync.maxBacklog || this.queue.active > 0 || this.runningCount > 0 || this.connecting) return;
    if (this.initPending || this.guard?.settling === true || this.guard?.hold() !== undefined) return;
    if (this.ledger.backlogCover() === undefined) return;
    const due = this.queue.nextWakeup() ?? now();
    const dropped = this.queue.takeWaiting(() => true).length;
    this.spilled = true;
    this.spills++;
    // With a connect() probe the probe's own backoff decides when the target is tried again.
    const cap = this.transport.connect !== undefined ? MAX_PROBE_RETRY_MS : MAX_RETRY_MS;
    this.resumeNotBefore = Math.max(due, now() + retryDelayMs(this.spills, this.sync.delay * 1000, cap));
    this.log.warn(
      `${this.name}: ${dropped} changes queued while ${this.transport.description} cannot take them (maxBacklog ${this.sync.maxBacklog}); dropping the queue — a catch-up from the state sends what changed once the target answers`,
    );
    this.checkIdle();
  }

  /** Ends a spill: the catch-up (or a full transfer) stands in for everything dropped. */
  private resumeFromSpill(): void {
    this.spilled = false;
    this.failedSinceResume = false;
    const cover = this.ledger?.backlogCover() ?? 'full';
    if (cover === 'full' || this.queue.fullQueued) {
      if (this.queue.addFull(now(), 'catch-up after the backlog was dropped')) this.log.normal(`${this.name}: full transfer in place of the dropped backlog`);
      return;
    }
    try {
      const n = this.ledger!.catchUp((ev) => this.event(ev));
      this.log.normal(`${this.name}: catch-up: ${n} changes (in place of the dropped backlog)`);
    } catch (e) {
      this.log.warn(`${this.name}: full transfer in place of the dropped backlog: the catch-up failed (${(e as Error).message})`);
      this.resyncAll('catch-up failed');
    }
  }

  overflow(): void {
    this.overflows++;
    this.log.warn(`${this.name}: events were lost (inotify queue overflow); resyncing ${this.transport.description} — ${overflowAdvice()}`);
    this.resyncAll('overflow');
  }

  private resyncAll(reason: string): void {
    this.queue.addFull(now(), reason);
    if (this.oldestPendingAt === undefined) this.oldestPendingAt = Date.now();
    this.reschedule();
  }

  rootGone(): void {
    if (this.state === 'dead' || this.state === 'stopped') return;
    this.state = 'source-gone';
    this.unwatched?.clear();
    this.lastError = `source ${this.sync.source} disappeared; transfers paused until it is back`;
    this.log.error(`${this.name}: ${this.lastError}`);
    this.clearTimer();
  }

  /** The engine watches the source again: resync everything, then carry on. */
  sourceBack(): void {
    if (this.state !== 'source-gone') return;
    this.lastError = undefined;
    this.queue.addFull(now(), 'source back');
    this.activate();
  }

  watchError(path: SyncPath, errno: number): void {
    if (this.unwatched?.failed(path, errno)) return;
    this.log.warn(`${this.name}: ${watchErrorMessage(errno, `${this.sync.source.replace(/\/$/, '')}${displayPath(path)}`)}`);
  }

  // --- scheduling ----------------------------------------------------------------------------

  /** Transfers may run (or are backing off) in this state. */
  private get flowing(): boolean {
    return this.state === 'running' || this.state === 'retrying' || this.state === 'down';
  }

  tryStart(): boolean {
    if (!this.flowing) return false;
    if (this.gate?.open === false) return false; // the tunnel's opening pumps again
    if (this.sideTask !== undefined) {
      // A side task holds the sync: a transfer that is due aborts it and starts once it ended.
      const wake = this.queue.nextWakeup();
      if (wake !== null && wake <= now()) this.sideTask.abort();
      return false;
    }
    if (this.spilled) {
      // Resume once the backoff ended and, for a transport with connect(), the target answers.
      if (now() < this.resumeNotBefore) return this.reschedule(), false;
      if (this.transport.connect !== undefined && !this.linkReady) {
        this.beginConnect();
        this.reschedule();
        return false;
      }
      this.resumeFromSpill();
    }
    if (this.transport.connect !== undefined && !this.linkReady) {
      // Connect first, outside the slot (see the header); its end pumps the scheduler again.
      const wake = this.queue.nextWakeup();
      if (wake !== null && wake <= now()) this.beginConnect();
      else this.reschedule();
      return false;
    }
    const batch = this.queue.getBatch(now(), this.transport.batchOptions);
    if (!batch) {
      this.reschedule();
      return false;
    }
    this.linkReady = false;
    this.runningCount++;
    const p = this.runBatch(batch).finally(() => {
      this.inFlight.delete(p);
      this.runningCount--;
      this.maybeSpill();
      this.scheduler.done();
      this.scheduler.pump();
      this.reschedule();
      this.checkIdle();
    });
    this.inFlight.add(p);
    return true;
  }

  private beginConnect(): void {
    const connect = this.transport.connect;
    if (connect === undefined || this.connecting || now() < this.connectNotBefore) return;
    this.connecting = true;
    const ctx = { log: this.log, signal: this.connectAbort.signal };
    const p = connect
      .call(this.transport, ctx)
      .catch((err: unknown): TransferOutcome => ({ kind: 'again', reason: `connect failed: ${(err as Error).message}` }))
      .then((out) => this.connected(out))
      .finally(() => {
        this.connecting = false;
        this.inFlight.delete(p);
        this.scheduler.pump();
        this.reschedule();
        this.checkIdle();
      });
    this.inFlight.add(p);
  }

  /** The end of a connect(): ready for a slot, or backing off (down / retrying), or failed for good. */
  private connected(out: TransferOutcome): void {
    if (!this.flowing) return;
    if (out.kind === 'ok') {
      this.linkReady = true;
      this.connectNotBefore = -Infinity;
      if (this.connectFailures > 0 || this.state === 'down') {
        const what = this.spilled ? 'changes since the backlog was dropped, from the state' : `${this.queue.waiting} queued changes`;
        this.log.normal(`${this.name}: ${this.transport.description} answers again; catching up on ${what}`);
      }
      this.connectFailures = 0;
      if (this.state === 'down') {
        this.state = 'running';
        this.retryAt = undefined;
      }
      return;
    }
    if (this.initPending && !this.insist) {
      this.settleInit();
      this.failFatally(out.reason, true);
      return;
    }
    if (out.kind === 'die' && !this.initPending) {
      this.die(out.reason);
      return;
    }
    // Retried: an `again`, or anything while an init transfer under insist is pending (as in runBatch).
    this.settleInit();
    this.failedSinceResume = true;
    this.connectFailures++;
    const wait = retryDelayMs(this.connectFailures, this.sync.delay * 1000, MAX_PROBE_RETRY_MS);
    this.connectNotBefore = now() + wait;
    this.retryAt = Date.now() + wait;
    this.lastError = out.reason;
    const down = out.kind === 'again' && out.unreachable === true;
    this.state = down ? 'down' : 'retrying';
    this.log.warn(`${this.name}: ${out.reason}; ${down ? 'target down, ' : ''}connecting again in ${Math.round(wait / 1000)} s`);
  }

  private async runBatch(batch: Batch): Promise<void> {
    const ctx = { log: this.log, signal: this.abort.signal };
    const isInit = batch.full && batch.delays[0]?.reason === 'init';
    if (batch.full) {
      this.log.normal(`${isInit ? 'recursive startup' : `full (${batch.delays[0]?.reason ?? 'resync'})`} rsync: ${this.transport.description}`);
    } else {
      this.log.debug('Exec', `${this.name}: batch of ${batch.delays.length} delays`);
    }
    let report: TransferReport;
    let record: ((requeue: readonly QueueEvent[]) => void) | undefined;
    try {
      const keep = batch.full && this.guard !== undefined && deletesOnFull(this.sync.delete) &&
        (await this.guard.fullMustKeep(async () => this.transport.targetHasEntries?.(ctx)));
      record = this.ledger?.prepare(batch.delays, batch.full);
      report = batch.full ? await this.transport.full(ctx, keep ? { withoutDelete: true } : undefined) : await this.transport.batch(batch.delays, ctx);
    } catch (err) {
      report = { outcome: { kind: 'again', reason: `transport failed: ${(err as Error).message}` } };
    }
    if (isInit) this.settleInit();
    if (this.state === 'stopped') {
      if (report.outcome.kind === 'ok') record?.(report.requeue ?? []);
      this.queue.complete(batch, { kind: 'ok' });
      return;
    }
    this.filesSent += report.filesSent ?? 0;
    this.bytesSent += report.bytesSent ?? 0;
    const out = report.outcome;
    if (out.kind !== 'ok' && this.state === 'source-gone') {
      // The source vanished while this batch ran (most likely why it failed). Neither a retry
      // nor a death is due: the delays are kept, and sourceBack() queues a full resync. The state
      // stays 'source-gone': in 'retrying', sourceBack() would ignore the source's return.
      this.transfersFailed++;
      this.queue.complete(batch, { kind: 'again', retryAt: now() });
      this.log.warn(`${this.name}: ${out.reason} (the source is gone; kept for when it is back)`);
      for (const ev of report.requeue ?? []) this.event(ev);
      return;
    }
    if (out.kind === 'ok') {
      record?.(report.requeue ?? []);
      this.queue.complete(batch, { kind: 'ok' });
      if (isInit) this.initPending = false;
      this.transfersOk++;
      this.spills = 0;
      this.lastSuccessAt = Date.now();
      this.retryAt = undefined;
      if (this.state === 'retrying' || this.state === 'down') this.state = 'running';
      if (isInit) this.log.normal(`Startup of ${this.transport.description} finished.`);
      if (this.queue.waiting === 0 && this.queue.active === 0) {
        this.oldestPendingAt = undefined;
        this.ledger?.settled(() => this.idle);
      }
    } else if (isInit ? this.insist : out.kind === 'again') {
      this.transfersFailed++;
      this.transfersRetried++;
      const attempt = Math.max(1, ...batch.delays.map((d) => d.attempts + 1));
      const wait = retryDelayMs(attempt, this.sync.delay * 1000);
      this.queue.complete(batch, { kind: 'again', retryAt: now() + wait });
      this.retryAt = Date.now() + wait;
      this.lastError = out.reason;
      this.failedSinceResume = true;
      const down = out.kind === 'again' && out.unreachable === true;
      this.state = down ? 'down' : 'retrying';
      this.log.warn(`${this.name}: ${out.reason}; ${down ? 'target down, ' : ''}retrying in ${Math.round(wait / 1000)} s`);
    } else {
      this.transfersFailed++;
      this.queue.complete(batch, { kind: 'ok' });
      this.failFatally(out.reason, isInit);
      return;
    }
    for (const ev of report.requeue ?? []) this.event(ev);
    if (report.fullResync !== undefined) {
      this.log.warn(`${this.name}: ${report.fullResync}; resyncing ${this.transport.description} fully`);
      this.queue.addFull(now(), report.fullResync);
    }
  }

  /** A failure nothing retries: the init transfer without insist (start-up failure) or a `die`. */
  private failFatally(reason: string, isInit: boolean): void {
    this.lastError = isInit ? `${reason} — the init transfer failed and "insist" is not set (set insist = true to keep retrying)` : reason;
    if (isInit && this.startupFailure) {
      this.state = 'dead';
      this.clearTimer();
      this.unwatched?.close();
      this.startupFailure(this.lastError);
      this.checkIdle();
      return;
    }
    this.die(this.lastError);
  }

  private die(reason: string): void {
    this.state = 'dead';
    this.cron?.stop();
    void this.gate?.stop();
    this.clearTimer();
    this.unwatched?.close();
    this.log.error(`${this.name}: stopped: ${reason}. Other syncs keep running; fix the cause and reload (HUP) or restart.`);
    this.checkIdle();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private reschedule(): void {
    this.clearTimer();
    if (!this.flowing || this.connecting) return; // a connect's end reschedules
    let wake = this.spilled ? this.resumeNotBefore : this.queue.nextWakeup();
    if (wake === null) return;
    if (!this.linkReady) wake = Math.max(wake, this.connectNotBefore);
    const ms = Math.max(0, Math.ceil(wake - now()));
    if (ms === 0) {
      setImmediate(() => this.scheduler.pump());
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.scheduler.pump();
      this.reschedule();
    }, ms);
  }

  /**
   * Runs `task` (the periodic drift check, periodic_verify.ts) now if the sync is
   * running and idle, outside the scheduler: it takes no process slot. While it runs no transfer
   * of this sync starts; one that falls due aborts `signal`, and starts once the task has ended.
   * False (nothing run) when the sync is busy, not running, or already running a side task.
   */
  runWhileIdle(task: (signal: AbortSignal) => Promise<void>): boolean {
    if (this.state !== 'running' || !this.idle || this.sideTask !== undefined) return false;
    const ac = new AbortController();
    this.sideTask = ac;
    void task(ac.signal)
      .catch((e: unknown) => this.log.error(`${this.name}: ${(e as Error).message}`))
      .finally(() => {
        this.sideTask = undefined;
        this.reschedule();
        this.scheduler.pump();
      });
    return true;
  }

  // --- observation ---------------------------------------------------------------------------

  /** True when nothing is queued or running (or the sync is dead/stopped). */
  get idle(): boolean {
    if (this.state === 'dead' || this.state === 'stopped') return this.runningCount === 0;
    return this.queue.waiting === 0 && this.queue.active === 0 && this.runningCount === 0 && this.guard?.settling !== true && !this.spilled;
  }

  whenIdle(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private checkIdle(): void {
    if (!this.idle) return;
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }

  /** Queued delays, FIFO, with lsyncd's status words (a waiting delay not yet runnable: block). */
  delaySnapshot(): { state: 'wait' | 'active' | 'block'; kind: string; path: string; destination?: string }[] {
    const blocked = this.queue.blockedSeqs();
    return this.queue.snapshot().map((d) => ({
      state: d.status === 'active' ? 'active' : blocked.has(d.seq) ? 'block' : 'wait',
      kind: d.kind,
      path: displayPath(d.path),
      ...(d.destination !== undefined ? { destination: displayPath(d.destination) } : {}),
    }));
  }

  status(): SyncStatus {
    return {
      name: this.name,
      state: this.state === 'running' && (this.unwatched?.count ?? 0) > 0 ? 'degraded' : this.state,
      description: displayPath(this.transport.description), // non-UTF-8 path bytes as \xNN
      waiting: this.queue.waiting,
      running: this.runningCount,
      lastSuccessAt: this.lastSuccessAt,
      lastError: this.lastError === undefined ? undefined : displayPath(this.lastError),
      retryAt: this.retryAt,
      overflows: this.overflows,
      transfersOk: this.transfersOk,
      transfersFailed: this.transfersFailed,
      transfersRetried: this.transfersRetried,
      filesSent: this.filesSent,
      bytesSent: this.bytesSent,
      lagMs: this.oldestPendingAt === undefined ? 0 : Date.now() - this.oldestPendingAt,
      deleteHold: this.guard?.hold(),
      unwatchedDirs: this.unwatched?.count ?? 0,
      watchRetryAt: this.unwatched?.retryAt,
      verify: this.verification,
      nextFullSyncAt: this.cron?.next,
      tunnel: this.gate?.status(),
      backlogDropped: this.spilled,
    };
  }

  /** No new transfers; running ones get `graceMs` to finish (Infinity: no limit), then are aborted. */
  async stop(graceMs: number): Promise<void> {
    this.state = 'stopped';
    this.cron?.stop();
    this.sideTask?.abort();
    this.connectAbort.abort();
    this.clearTimer();
    this.guard?.dispose();
    this.unwatched?.close();
    this.settleInit();
    if (this.inFlight.size > 0) {
      const timer = Number.isFinite(graceMs) ? setTimeout(() => this.abort.abort(), graceMs) : undefined;
      await Promise.allSettled([...this.inFlight]);
      clearTimeout(timer);
    }
    await this.transport.close();
    await this.gate?.stop();
    this.checkIdle();
  }
}
