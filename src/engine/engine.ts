// Engine: all syncs of one config, started in lsyncd's order and kept independent.
//
// Start-up, per sync (lsyncd-behaviour.md §4, fixing its races #226/#161): resolve the source
// (realpath; lsyncd: "Cannot access source directory"), compile its rules (excludeFrom /
// filterFrom are read here: an unreadable file is an error, as in lsyncd), queue the init
// transfer, THEN add the watch (watch-then-scan), then let transfers run — so nothing that
// changes during the init rsync is missed, and it all runs after it. One Watcher (one inotify
// fd, one reader thread) per sync: syncs never share a failure domain, and inotifyMode could
// differ per sync (lsyncd #729).
//
// start() resolves once every watch is set and every init transfer is queued; it rejects with a
// one-line error naming the sync and the fix when a sync cannot start at all.
import { realpathSync, statSync } from 'node:fs';

import type { NormalizedConfig, NormalizedSync } from '../config/schema.js';
import type { Log } from '../log/log.js';
import { loadSyncRules } from '../sysctl/sync_rules.js';
import { Watcher } from '../watcher/watcher.js';
import { translateBatch } from './record_translation.js';
import { Scheduler } from './scheduler.js';
import { SyncRunner, type SyncStatus } from './sync_runner.js';
import { defaultTransportFactory, type TransportFactory } from './transport_factory.js';

export interface EngineOptions {
  readonly log: Log;
  readonly transportFactory?: TransportFactory;
  /** Watcher timing (tests shorten it). */
  readonly settleMs?: number;
}

interface SyncUnit {
  readonly runner: SyncRunner;
  readonly watcher: Watcher;
  rootId: number;
  readonly sourceDir: string;
  readonly watchRules: { include: boolean; pattern: string }[];
  recheck?: NodeJS.Timeout;
}

/** How often a sync whose source disappeared looks for it again. */
const SOURCE_RECHECK_MS = 1000;

export class StartupError extends Error {}

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

  constructor(
    private readonly config: NormalizedConfig,
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
    for (const sync of this.config.syncs) await this.startSync(sync);
  }

  private async startSync(configured: NormalizedSync): Promise<void> {
    let sourceDir: string;
    try {
      sourceDir = realpathSync(configured.source);
      if (!statSync(sourceDir).isDirectory()) throw new Error('not a directory');
    } catch (e) {
      throw new StartupError(
        `${configured.name}: Cannot access source directory: ${configured.source} (${(e as Error).message}) — create it or fix "source"`,
      );
    }
    const sync: NormalizedSync = { ...configured, source: `${sourceDir}/` };
    const loaded = loadSyncRules(sync);
    if (!loaded.rules || loaded.problems.length > 0) {
      const p = loaded.problems[0];
      throw new StartupError(`${sync.name}: ${p ? `${p.key}: ${p.message}` : 'invalid filter/exclude rules'}`);
    }
    const ruleSet = { rules: loaded.rules, hasFilters: loaded.hasFilters };
    const factory = this.opts.transportFactory ?? defaultTransportFactory;
    const transport = factory(sync, ruleSet);
    const runner = new SyncRunner(sync, transport, this.scheduler, this.log, this.config.settings.insist);
    let unit: SyncUnit | undefined;
    const watcher = new Watcher(
      {
        mode: this.config.settings.inotifyMode,
        settleMs: this.opts.settleMs ?? 20,
        onError: (e) => this.log.error(`${sync.name}: ${(e as Error).message}`),
      },
      (batch) => {
        if (!unit) return;
        const u = unit;
        translateBatch(batch, u.rootId, ruleSet.rules, {
          event: (ev) => runner.event(ev),
          overflow: () => runner.overflow(),
          watchError: (p, errno) => runner.watchError(p, errno),
          rootGone: () => {
            runner.rootGone();
            this.awaitSource(u);
          },
        });
      },
    );
    runner.queueInit();
    const watchRules = [...ruleSet.rules.rules];
    let added;
    try {
      added = await watcher.add(sourceDir, watchRules);
    } catch (e) {
      watcher.close();
      throw new StartupError(`${sync.name}: ${(e as Error).message}`);
    }
    unit = { runner, watcher, rootId: added.rootId, sourceDir, watchRules };
    for (const err of added.errors) this.log.warn(`${sync.name}: ${err.message}`);
    this.log.debug('Inotify', `${sync.name}: watching ${added.dirs} directories under ${sourceDir}`);
    this.units.push(unit);
    this.scheduler.add(runner);
    runner.activate();
    this.scheduler.pump();
  }

  // The source vanished (RootGone): look for it every SOURCE_RECHECK_MS; once it is a directory
  // again, watch it (watch-then-scan) and resync the whole tree. Transfers stay paused meanwhile:
  // an rsync of a missing source with --delete must never run.
  private awaitSource(u: SyncUnit): void {
    if (u.recheck || this.stopped) return;
    u.recheck = setInterval(() => {
      let back = false;
      try {
        back = statSync(u.sourceDir).isDirectory();
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

  /** Test-only: the watchers, one per sync, in config order. */
  __watchers(): Watcher[] {
    return this.units.map((u) => u.watcher);
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

  status(): SyncStatus[] {
    return this.units.map((u) => u.runner.status());
  }

  snapshot(): SyncSnapshot[] {
    return this.units.map((u) => {
      const ws = u.watcher.stats();
      return {
        status: u.runner.status(),
        mode: u.runner.sync.mode,
        source: u.runner.sync.source,
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
    await Promise.all(this.units.map((u) => u.runner.stop(graceMs)));
  }
}
