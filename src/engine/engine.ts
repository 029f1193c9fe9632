// Engine: all syncs of one config, started in lsyncd's order and kept independent.
//
// Start-up, per sync (docs/lsyncd-compat.md#startup-order, fixing its races lsyncd#226/#161): resolve the source
// (realpath; lsyncd: "Cannot access source directory"), compile its rules (excludeFrom /
// filterFrom are read here: an unreadable file is an error, as in lsyncd), queue the init
// transfer, THEN add the watch (watch-then-scan), then let transfers run — so nothing that
// changes during the init rsync is missed, and it all runs after it. One Watcher (one inotify
// fd, one reader thread) per sync: syncs never share a failure domain, and inotifyMode could
// differ per sync (lsyncd#729).
//
// start() resolves once every watch is set and every init transfer is queued; it rejects with a
// one-line error naming the sync and the fix when a sync cannot start at all. Running out of
// inotify watches or instances while setting a sync's watches is such a failure (lsyncd:
// "Terminating since out of inotify watches", out_of_watches.ts) unless `insist` is set: then
// the sync starts degraded and its runner retries the missing watches (unwatched_dirs.ts), as
// it does for directories that cannot be watched later on — the source root included. An
// inotify instance that cannot be created (EMFILE) ends start-up even with `insist`: there is no
// watcher to retry through.
//
// A failed init transfer of a sync started by start() (not by a reload) without `insist` is a
// start-up failure too, whenever it ends: it goes to `onStartupFailure` (the daemon exits 255).
// Without that option, and for syncs a reload adds, it stops only that sync, like any `die`
// while running. initsSettled() resolves once every init transfer has an outcome.
//
// reload(next) (HUP, src/engine/reload_plan.ts for the diff): unchanged syncs keep their queue,
// watches and running transfers; new and changed syncs are prepared first (source resolved,
// rules compiled, init queued, watch set) — if any cannot start, nothing changes and reload()
// rejects, so the old configuration keeps running; then removed/changed syncs stop watching and
// their running transfers finish (no abort), and only after that do the new syncs' transfers
// start (the init transfer of a changed sync covers whatever its old version still had queued,
// and never races it on the same target).
import { realpathSync, statSync } from 'node:fs';

import type { NormalizedConfig, NormalizedSync } from '../config/schema.js';
import type { Log } from '../log/log.js';
import { decodePathBytes, displayPath, fromByteString, pathArg } from '../paths/byte_path.js';
import { planReload, type SettingChange } from './reload_plan.js';
import { shellQuote } from '../process/argv_display.js';
import { loadSyncRules } from '../filters/sync_rules.js';
import type { EventBatch } from '../watcher/event_batch.js';
import { WatchError } from '../watcher/watch_errors.js';
import type { AddResult, RewatchResult, WatcherFactory, WatcherPort } from '../watcher/watcher_port.js';
import { isWatchShortage, outOfWatchesMessage } from './out_of_watches.js';
import { translateBatch } from './record_translation.js';
import { Scheduler } from './scheduler.js';
import { SyncRunner, type SyncStatus } from './sync_runner.js';
import type { TransportFactory } from '../transports/transport_factory.js';

export interface EngineOptions {
  readonly log: Log;
  /** The transport of each sync (src/transports/transport_factory.ts: defaultTransportFactory). */
  readonly transportFactory: TransportFactory;
  /** The watcher of each sync (src/watcher/watcher.ts: createWatcher; tests may pass a fake). */
  readonly watcherFactory: WatcherFactory;
  /** A sync of the start-up failed its init transfer without `insist` (one line, with the fix). */
  readonly onStartupFailure?: (message: string) => void;
  /** What the out-of-watches error tells to pass to `lsyncd-ts sysctl --apply` (shell-quoted). */
  readonly sysctlTarget?: string;
}

interface SyncUnit {
  /** The sync as configured (before realpath): what reload compares. */
  readonly configured: NormalizedSync;
  readonly runner: SyncRunner;
  readonly watcher: WatcherPort;
  rootId: number;
  readonly sourceDir: string;
  readonly watchRules: { include: boolean; pattern: string }[];
  recheck?: NodeJS.Timeout;
}

/** How often a sync whose source disappeared looks for it again. */
const SOURCE_RECHECK_MS = 1000;

export class StartupError extends Error {}

/** What a reload did (names), for the log and the tests. */
export interface ReloadReport {
  readonly kept: string[];
  readonly started: string[];
  readonly stopped: string[];
  readonly changed: string[];
  /** Syncs that had died and start afresh (unchanged or not). */
  readonly restarted: string[];
  readonly settings: SettingChange[];
}

/** Everything status files, metrics and health checks read about one sync (read-only copy). */
export interface SyncSnapshot {
  readonly status: SyncStatus;
  readonly mode: NormalizedSync['mode'];
  /** Resolved source directory (realpath, trailing '/'). */
  readonly source: string;
  /** Filter rules in order, then excludes as '-' rules (what the watcher and rsync use). */
  readonly rules: readonly { include: boolean; pattern: string }[];
  /** Queued delays in FIFO order with lsyncd's states: wait, active, or block(ed). */
  readonly delays: readonly { state: 'wait' | 'active' | 'block'; kind: string; path: string; destination?: string }[];
  readonly watchedDirs: number;
  readonly watcherOverflows: number;
}

export class Engine {
  private readonly units: SyncUnit[] = [];
  private readonly scheduler: Scheduler;
  private readonly log: Log;
  private stopped = false;
  /** True while start() prepares the syncs (a failure then ends the daemon, not a reload). */
  private starting = false;
  private reloading: Promise<unknown> = Promise.resolve();
  /** Runners removed by a reload whose running transfers are still finishing. */
  private readonly retiring = new Set<SyncRunner>();

  constructor(
    private config: NormalizedConfig,
    private readonly opts: EngineOptions,
  ) {
    this.log = opts.log;
    this.scheduler = new Scheduler(config.settings.maxProcesses ?? Infinity);
  }

  get runners(): readonly SyncRunner[] {
    return this.units.map((u) => u.runner);
  }

  async start(): Promise<void> {
    if (this.config.syncs.length === 0) throw new StartupError('Nothing to watch! — add a sync{} to the config');
    // Every watch is set before any transfer starts: the syncs begin together and the scheduler
    // serves them round-robin from the first transfer on (lsyncd tests/schedule.lua). A sync that
    // cannot start leaves nothing half-started behind.
    const prepared: SyncUnit[] = [];
    this.starting = true;
    try {
      for (const sync of this.config.syncs) prepared.push(await this.prepareSync(sync));
    } catch (e) {
      this.discard(prepared);
      throw e;
    } finally {
      this.starting = false;
    }
    const onFail = this.opts.onStartupFailure;
    for (const u of prepared) {
      if (onFail) u.runner.startupFailure = (reason) => onFail(`${u.runner.name}: start-up failed: ${reason}`);
      this.commit(u);
    }
  }

  /** Resolves once every init transfer succeeded, failed, or is being retried (insist). */
  async initsSettled(): Promise<void> {
    await Promise.all(this.units.map((u) => u.runner.initSettled));
  }

  /**
   * Applies a new, validated config (HUP). Serialised with other reloads. Rejects with a
   * StartupError (and changes nothing) when a new or changed sync cannot start.
   */
  reload(next: NormalizedConfig): Promise<ReloadReport> {
    const run = this.reloading.then(() => this.reloadNow(next));
    this.reloading = run.catch(() => undefined);
    return run;
  }

  private async reloadNow(next: NormalizedConfig): Promise<ReloadReport> {
    if (this.stopped) throw new StartupError('stopping; reload ignored');
    if (next.syncs.length === 0) throw new StartupError('Nothing to watch! — add a sync{} to the config');
    const plan = planReload(
      this.units.map((u) => ({ unit: u, sync: u.configured })),
      this.config.settings,
      next,
      (u) => u.runner.status().state === 'dead',
    );
    const previous = this.config;
    this.config = next;
    const prepared: SyncUnit[] = [];
    try {
      for (const sync of plan.start) prepared.push(await this.prepareSync(sync));
    } catch (e) {
      this.discard(prepared);
      this.config = previous;
      throw e;
    }
    if (this.stopped) {
      this.discard(prepared);
      throw new StartupError('stopping; reload abandoned');
    }
    this.scheduler.setGlobalMax(next.settings.maxProcesses ?? Infinity);
    for (const k of plan.keep) k.running.runner.maxProcesses = k.next.maxProcesses;
    // Stop what went away: no new transfers, running ones finish (no grace limit).
    const stopping = plan.stop.map((u) => {
      this.units.splice(this.units.indexOf(u), 1);
      this.scheduler.remove(u.runner);
      if (u.recheck) clearInterval(u.recheck);
      u.recheck = undefined;
      u.watcher.close();
      this.retiring.add(u.runner);
      return u.runner.stop(Infinity).finally(() => this.retiring.delete(u.runner));
    });
    const order = new Map(next.syncs.map((s, i) => [s, i]));
    for (const u of prepared) this.commit(u, stopping.length > 0 ? Promise.all(stopping) : undefined);
    const pos = (u: SyncUnit): number => {
      const k = plan.keep.find((x) => x.running === u);
      return order.get(k ? k.next : u.configured) ?? 0;
    };
    this.units.sort((a, b) => pos(a) - pos(b));
    return {
      kept: plan.keep.map((k) => k.running.runner.name),
      started: prepared.map((u) => u.runner.name),
      stopped: plan.stop.map((u) => u.runner.name),
      changed: plan.changed,
      restarted: plan.restarted,
      settings: plan.settings,
    };
  }

  /** Resolves source and rules, queues the init transfer and sets the watch; transfers wait for commit(). */
  private async prepareSync(configured: NormalizedSync): Promise<SyncUnit> {
    let sourceDir: string;
    try {
      // A byte-escaped (non-UTF-8) source is resolved on its exact bytes (src/paths/byte_path.ts).
      const real = realpathSync.native(pathArg(configured.source), { encoding: 'buffer' });
      if (!statSync(real).isDirectory()) throw new Error('not a directory');
      sourceDir = decodePathBytes(real);
    } catch (e) {
      throw new StartupError(
        `${configured.name}: Cannot access source directory: ${displayPath(configured.source)} (${displayPath((e as Error).message)}) — create it or fix "source"`,
      );
    }
    const sync: NormalizedSync = { ...configured, source: `${sourceDir}/` };
    const loaded = loadSyncRules(sync);
    if (!loaded.rules || loaded.problems.length > 0) {
      const p = loaded.problems[0];
      throw new StartupError(`${sync.name}: ${p ? `${p.key}: ${p.message}` : 'invalid filter/exclude rules'}`);
    }
    const ruleSet = { rules: loaded.rules, hasFilters: loaded.hasFilters };
    const transport = this.opts.transportFactory(sync, ruleSet);
    const runner = new SyncRunner(sync, transport, this.scheduler, this.log, this.config.settings.insist);
    runner.guardDeletes(ruleSet.rules);
    let unit: SyncUnit | undefined;
    const translate = (u: SyncUnit, batch: EventBatch): void => {
      translateBatch(batch, u.rootId, ruleSet.rules, {
        event: (ev) => runner.event(ev),
        overflow: () => runner.overflow(),
        watchError: (p, errno) => runner.watchError(p, errno),
        rootGone: () => {
          runner.rootGone();
          this.awaitSource(u);
        },
      });
      // Whatever this batch made due (delay 0) starts now, with every event of the batch in
      // the queue, instead of one event-loop turn later (single-file latency at delay 0).
      this.scheduler.pump();
    };
    const outOfWatches = (path: string, errno: number): StartupError =>
      new StartupError(
        outOfWatchesMessage(this.config, {
          sync: sync.name,
          path,
          errno,
          sysctlTarget: this.opts.sysctlTarget ?? this.config.syncs.map((s) => shellQuote(s.source)).join(' '),
          atStartup: this.starting,
        }),
      );
    // Records can arrive while add() is still walking the tree (its root id is not known yet).
    // Such a batch is held — the watcher waits for it, add()'s reply does not — and translated
    // once add() is done, instead of being dropped (with init = false nothing else covers it).
    let addDone: () => void = () => {};
    const addSettled = new Promise<void>((resolve) => (addDone = resolve));
    let watcher: WatcherPort;
    try {
      watcher = this.opts.watcherFactory(
        {
          mode: this.config.settings.inotifyMode,
          // No settle wait: the delay queue is where changes are aggregated (`delay`), so the
          // watcher hands records over as soon as a read round ends (a settle time would be added
          // to every change at delay 0). Bursts still coalesce natively while
          // a batch is in flight.
          settleMs: 0,
          onError: (e) => this.log.error(`${sync.name}: ${(e as Error).message}`),
        },
        (batch) => {
          if (unit) return translate(unit, batch);
          return addSettled.then(() => {
            if (unit) translate(unit, batch);
          });
        },
      );
    } catch (e) {
      await transport.close();
      if (e instanceof WatchError && isWatchShortage(e.errno)) throw outOfWatches('', e.errno);
      throw e;
    }
    runner.queueInit();
    const watchRules = [...ruleSet.rules.rules];
    // With insist, even the root may be left unwatched for lack of watches: the sync starts
    // degraded (the init transfer still runs) and the root's watch is retried like any other.
    const noRoot = { rootId: -1, dirs: 0, errors: [] as AddResult['errors'] };
    let added: AddResult;
    let rootShortage = 0;
    try {
      added = await watcher.add(sourceDir, watchRules);
    } catch (e) {
      const shortage = e instanceof WatchError && isWatchShortage(e.errno);
      if (shortage && this.config.settings.insist) {
        added = noRoot;
        rootShortage = e.errno;
      } else {
        addDone();
        watcher.close();
        await transport.close();
        if (shortage) throw outOfWatches(e.path, e.errno);
        throw new StartupError(`${sync.name}: ${(e as Error).message}`);
      }
    }
    const short = added.errors.find((e) => isWatchShortage(e.errno));
    if (short && !this.config.settings.insist) {
      addDone();
      watcher.close();
      await transport.close();
      throw outOfWatches(short.path, short.errno);
    }
    const u: SyncUnit = { configured, runner, watcher, rootId: added.rootId, sourceDir, watchRules };
    runner.repairWatchesWith((rel) => (rel.length === 0 ? this.rewatchRoot(u) : watcher.rewatch(u.rootId, rel)));
    unit = u;
    addDone();
    if (rootShortage !== 0) runner.watchError('/', rootShortage);
    for (const err of added.errors) {
      if (isWatchShortage(err.errno)) runner.watchError(fromByteString(`/${err.rel.toString('latin1')}/`), err.errno);
      else this.log.warn(`${sync.name}: ${err.message}`);
    }
    this.log.debug('Inotify', `${sync.name}: watching ${added.dirs} directories under ${sourceDir}`);
    return unit;
  }

  /** Retries the watch of a root that could not be watched at start-up (insist), as a rewatch. */
  private async rewatchRoot(u: SyncUnit): Promise<RewatchResult> {
    try {
      const added = await u.watcher.add(u.sourceDir, u.watchRules);
      u.rootId = added.rootId;
      return { dirs: added.dirs, err: 0, errors: added.errors.map((e) => ({ rel: e.rel, errno: e.errno })) };
    } catch (e) {
      if (e instanceof WatchError) return { dirs: 0, err: 0, errors: [{ rel: Buffer.alloc(0), errno: e.errno }] };
      throw e;
    }
  }

  private discard(prepared: SyncUnit[]): void {
    for (const u of prepared) {
      u.watcher.close();
      void u.runner.stop(0);
    }
  }

  /** Adds a prepared sync; its transfers start now, or once `after` resolves. */
  private commit(unit: SyncUnit, after?: Promise<unknown>): void {
    this.units.push(unit);
    this.scheduler.add(unit.runner);
    const go = () => {
      if (this.stopped) return;
      unit.runner.activate();
      this.scheduler.pump();
    };
    if (after) void after.then(go, go);
    else go();
  }

  // The source vanished (RootGone): look for it every SOURCE_RECHECK_MS; once it is a directory
  // again, watch it (watch-then-scan) and resync the whole tree. Transfers stay paused meanwhile:
  // an rsync of a missing source with --delete must never run.
  private awaitSource(u: SyncUnit): void {
    if (u.recheck || this.stopped) return;
    u.recheck = setInterval(() => {
      let back = false;
      try {
        back = statSync(pathArg(u.sourceDir)).isDirectory();
      } catch {
        back = false;
      }
      if (!back || this.stopped) return;
      clearInterval(u.recheck);
      u.recheck = undefined;
      u.watcher.add(u.sourceDir, u.watchRules).then(
        (added) => {
          u.rootId = added.rootId;
          this.log.normal(`${u.runner.name}: source ${u.sourceDir} is back; resyncing`);
          u.runner.sourceBack();
          this.scheduler.pump();
        },
        (e: unknown) => {
          this.log.error(`${u.runner.name}: ${(e as Error).message}`);
          this.awaitSource(u);
        },
      );
    }, SOURCE_RECHECK_MS);
  }

  /** Resolves once every change made before the call has reached the queues. */
  async flushWatchers(): Promise<void> {
    await Promise.all(this.units.map((u) => u.watcher.flush()));
  }

  /** Resolves when every sync is idle (nothing queued or running; dead syncs count as idle). */
  async whenIdle(): Promise<void> {
    await this.flushWatchers();
    await Promise.all(this.units.map((u) => u.runner.whenIdle()));
  }

  /**
   * Releases the deletes the mass-delete guard holds, for the named syncs (all when `names` is
   * undefined). Returns the syncs that were held and how many deletes each now applies.
   */
  releaseHeld(names?: readonly string[]): { name: string; deletes: number }[] {
    const out: { name: string; deletes: number }[] = [];
    for (const u of this.units) {
      if (names !== undefined && !names.includes(u.runner.name)) continue;
      const n = u.runner.releaseDeletes();
      if (n !== undefined) out.push({ name: u.runner.name, deletes: n });
    }
    return out;
  }

  status(): SyncStatus[] {
    return this.units.map((u) => u.runner.status());
  }

  snapshot(): SyncSnapshot[] {
    return this.units.map((u) => {
      const ws = u.watcher.stats();
      return {
        status: u.runner.status(),
        mode: u.runner.sync.mode,
        source: displayPath(u.runner.sync.source),
        rules: u.watchRules,
        delays: u.runner.delaySnapshot(),
        watchedDirs: ws.watches,
        watcherOverflows: ws.overflows,
      };
    });
  }

  watcherStats(): { watches: number; overflows: number } {
    let watches = 0;
    let overflows = 0;
    for (const u of this.units) {
      const s = u.watcher.stats();
      watches += s.watches;
      overflows += s.overflows;
    }
    return { watches, overflows };
  }

  /** Stops watching, lets running transfers finish within `graceMs`, releases everything. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const u of this.units) {
      if (u.recheck) clearInterval(u.recheck);
      u.watcher.close();
    }
    await Promise.all([...this.units.map((u) => u.runner), ...this.retiring].map((r) => r.stop(graceMs)));
  }
}
