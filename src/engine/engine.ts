// Engine: all syncs of one config, started in lsyncd's order and kept independent.
//
// Start-up, per sync (docs/lsyncd-compat.md#startup-order, fixing its races lsyncd#226/#161): resolve the source
// (realpath; lsyncd: "Cannot access source directory"), compile its rules (excludeFrom /
// filterFrom are read here: an unreadable file is an error, as in lsyncd), queue the init
// transfer, THEN add the watch (watch-then-scan), then let transfers run — so nothing that
// changes during the init rsync is missed, and it all runs after it. Watches are shared
// (shared_watches.ts): one inotify instance per inotify mode for the daemon, one watch per
// directory of a source whatever the number of syncs on it, its records translated once per
// distinct rule list and fanned out to each sync's own queue (own delay, excludes, delete mode).
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
//
// A sync's tunnel (lsyncd 2.3) is leased from the engine's TunnelRegistry when the sync is
// prepared, so syncs naming the same tunnel share one process, and it keeps running through a
// reload that keeps any of them.
import { realpathSync, statSync } from 'node:fs';

import type { InotifyMode, NormalizedConfig, NormalizedSync } from '../config/schema.js';
import type { Log } from '../log/log.js';
import { decodePathBytes, displayPath, fromByteString, pathArg } from '../paths/byte_path.js';
import { planReload, type SettingChange } from './reload_plan.js';
import { shellQuote } from '../process/argv_display.js';
import { loadSyncRules } from '../filters/sync_rules.js';
import { WatchError } from '../watcher/watch_errors.js';
import type { WatcherFactory } from '../watcher/watcher_port.js';
import { isWatchShortage, outOfWatchesMessage } from './out_of_watches.js';
import { type JoinResult, SharedWatches, type WatchLease, type WatchMember } from './shared_watches.js';
import { Scheduler } from './scheduler.js';
import { SyncRunner, type SyncStatus } from './sync_runner.js';
import { TunnelRegistry } from './tunnel_registry.js';
import type { TransportFactory } from '../transports/transport_factory.js';
import type { SyncStates } from '../state/sync_states.js';

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
  /** Per-sync state (src/state/): catch-up instead of the init transfer where it is valid. */
  readonly state?: SyncStates;
}

interface SyncUnit {
  /** The sync as configured (before realpath): what reload compares. */
  readonly configured: NormalizedSync;
  readonly runner: SyncRunner;
  /** How its source is watched: shared with every sync on the same source. */
  readonly member: WatchMember;
  readonly hub: SharedWatches;
  /** Set once watchAll() attached it. */
  lease: WatchLease | undefined;
}

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
  /** The watched root whose directories `watchedDirs` counts: shared by every sync on it. */
  readonly watchRoot: string;
  readonly watcherOverflows: number;
}

export class Engine {
  private readonly units: SyncUnit[] = [];
  /** The watches of every sync, per inotify mode (one inotify instance for most daemons). */
  private readonly watches = new Map<InotifyMode, SharedWatches>();
  private readonly scheduler: Scheduler;
  private readonly log: Log;
  private stopped = false;
  /** True while start() prepares the syncs (a failure then ends the daemon, not a reload). */
  private starting = false;
  private reloading: Promise<unknown> = Promise.resolve();
  /** Runners removed by a reload whose running transfers are still finishing. */
  private readonly retiring = new Set<SyncRunner>();
  /** The syncs' tunnels, one per distinct tunnel{} (shared like lsyncd's). */
  private readonly tunnels: TunnelRegistry;

  constructor(
    private config: NormalizedConfig,
    private readonly opts: EngineOptions,
  ) {
    this.log = opts.log;
    this.tunnels = new TunnelRegistry(opts.log);
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
      await this.watchAll(prepared);
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
      await this.watchAll(prepared);
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
    for (const k of plan.keep) {
      k.running.runner.maxProcesses = k.next.maxProcesses;
      k.running.runner.setCrontab(k.next.crontab ?? []);
    }
    // Stop what went away: no new transfers, running ones finish (no grace limit).
    const stopping = plan.stop.map((u) => {
      this.units.splice(this.units.indexOf(u), 1);
      this.scheduler.remove(u.runner);
      u.lease?.leave();
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

  /** Resolves source and rules and queues the init transfer; watchAll() then sets the watch. */
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
    if (sync.tunnel !== undefined) runner.gate = this.tunnels.lease(sync.tunnel);
    // The init transfer is queued before the watch is set (watch-then-scan): whatever changes
    // while it runs is queued behind it. A catch-up instead walks the source once the watch is set.
    runner.queueInit(this.opts.state?.ledgerFor(sync, ruleSet.rules));
    const member: WatchMember = {
      source: sourceDir,
      watchRules: [...ruleSet.rules.rules],
      rules: ruleSet.rules,
      sink: runner,
      sourceBack: () => {
        this.log.normal(`${runner.name}: source ${sourceDir} is back; resyncing`);
        runner.sourceBack();
      },
      error: (m) => this.log.error(`${runner.name}: ${m}`),
    };
    return { configured, runner, member, lease: undefined, hub: this.watchesFor(this.config.settings.inotifyMode) };
  }

  /** The shared watches of one inotify mode (created on first use). */
  private watchesFor(mode: InotifyMode): SharedWatches {
    let hub = this.watches.get(mode);
    if (!hub) {
      hub = new SharedWatches(
        this.opts.watcherFactory,
        {
          mode,
          // No settle wait: the delay queue is where changes are aggregated (`delay`), so the
          // watcher hands records over as soon as a read round ends (a settle time would be added
          // to every change at delay 0). Bursts still coalesce natively while a batch is in flight.
          settleMs: 0,
          onError: (e) => this.log.error((e as Error).message),
        },
        // Whatever a batch made due (delay 0) starts now, with every event of the batch in the
        // queues, instead of one event-loop turn later (single-file latency at delay 0).
        () => this.scheduler.pump(),
      );
      this.watches.set(mode, hub);
    }
    return hub;
  }

  /**
   * Sets the watches of prepared syncs (shared per source, shared_watches.ts). Throws a
   * StartupError naming the sync and the fix when one cannot start; the caller discards them all.
   */
  private async watchAll(units: SyncUnit[]): Promise<void> {
    const outOfWatches = (sync: string, path: string, errno: number): StartupError =>
      new StartupError(
        outOfWatchesMessage(this.config, {
          sync,
          path,
          errno,
          sysctlTarget: this.opts.sysctlTarget ?? this.config.syncs.map((s) => shellQuote(s.source)).join(' '),
          atStartup: this.starting,
        }),
      );
    const insist = this.config.settings.insist;
    for (const hub of new Set(units.map((u) => u.hub))) {
      const mine = units.filter((u) => u.hub === hub);
      let joined: JoinResult[];
      try {
        joined = await hub.joinAll(mine.map((u) => u.member));
      } catch (e) {
        // No inotify instance could be created (EMFILE): nothing to retry through, even with insist.
        if (e instanceof WatchError && isWatchShortage(e.errno)) throw outOfWatches(mine[0]!.runner.name, '', e.errno);
        throw e;
      }
      mine.forEach((u, i) => (u.lease = joined[i]!.lease));
      for (const [i, u] of mine.entries()) {
        const { lease, added, error } = joined[i]!;
        const name = u.runner.name;
        // With insist, even the root may be left unwatched for lack of watches: the sync starts
        // degraded (the init transfer still runs) and the root's watch is retried like any other.
        let rootShortage = 0;
        if (error !== undefined) {
          const shortage = error instanceof WatchError && isWatchShortage(error.errno);
          if (!(shortage && insist)) {
            if (shortage) throw outOfWatches(name, error.path, error.errno);
            throw new StartupError(`${name}: ${(error as Error).message}`);
          }
          rootShortage = error.errno;
        }
        const short = added?.errors.find((e) => isWatchShortage(e.errno));
        if (short && !insist) throw outOfWatches(name, short.path, short.errno);
        u.runner.repairWatchesWith((rel) => lease.rewatch(rel));
        if (rootShortage !== 0) u.runner.watchError('/', rootShortage);
        for (const err of added?.errors ?? []) {
          if (isWatchShortage(err.errno)) u.runner.watchError(err.rel.length === 0 ? '/' : fromByteString(`/${err.rel.toString('latin1')}/`), err.errno);
          else this.log.warn(`${name}: ${err.message}`);
        }
        this.log.debug('Inotify', `${name}: ${added ? `watching ${added.dirs} directories under` : 'shares the watches of'} ${u.member.source}`);
      }
    }
  }

  private discard(prepared: SyncUnit[]): void {
    for (const u of prepared) {
      u.lease?.leave();
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

  /** Resolves once every change made before the call has reached the queues. */
  async flushWatchers(): Promise<void> {
    await Promise.all([...this.watches.values()].map((w) => w.flush()));
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
      const ws = u.hub.watchStats(u.lease!);
      return {
        status: u.runner.status(),
        mode: u.runner.sync.mode,
        source: displayPath(u.runner.sync.source),
        rules: u.member.watchRules,
        delays: u.runner.delaySnapshot(),
        watchedDirs: ws.watches,
        watchRoot: displayPath(`${u.lease!.watchRoot}/`),
        watcherOverflows: ws.overflows,
      };
    });
  }

  /** Watches and overflows of the whole daemon, and its inotify instances. */
  watcherStats(): { watches: number; overflows: number; instances: number } {
    let watches = 0;
    let overflows = 0;
    let instances = 0;
    for (const w of this.watches.values()) {
      const s = w.stats();
      watches += s.watches;
      overflows += s.overflows;
      instances += s.instances;
    }
    return { watches, overflows, instances };
  }

  /** Stops watching, lets running transfers finish within `graceMs`, releases everything. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const w of this.watches.values()) w.close();
    await Promise.all([...this.units.map((u) => u.runner), ...this.retiring].map((r) => r.stop(graceMs)));
  }
}
