// Where `run` and the legacy form hand a valid config to the sync engine (src/engine/engine.ts):
// the process lifecycle (docs/lsyncd-compat.md#startup-order, docs/lsyncd-compat.md#signals-and-exit-codes; lsyncd#438, #495, #465,
// #580). One concern per module under src/daemon/; this file only puts them in order.
//
// Contract: resolves with the process exit code —
//   daemon mode (settings.nodaemon false, the launcher): 0 once the daemon reported that start-up
//     succeeded, otherwise the daemon's code (255) with its error on stderr (daemonize.ts);
//   foreground / the daemon itself: 255 when start-up fails (pidfile held by a live instance,
//     logfile/facility unusable, metrics address taken, source missing, unreadable excludeFrom,
//     out of inotify watches, an init transfer that fails without `insist` — rsync missing, the
//     target unreachable, ...; one line naming the fix), 143 after SIGTERM and 130 after SIGINT:
//     watching stops at once, running transfers get STOP_GRACE_MS to finish.
//   What start-up waits for before "ready" (the launcher's exit 0, systemd's READY=1): every
//     watch set, then every init transfer finished (or retrying, with insist) or INIT_WAIT_MS
//     passed, whichever comes first — a quick failure (no rsync, a closed port, a missing target
//     parent) reaches the launcher's exit status, and a long init transfer never holds the
//     launcher for more than INIT_WAIT_MS. An init transfer that fails after that still ends the
//     daemon with 255 (logged; the launcher has returned by then).
// Order: service log (console in the foreground; logfile or syslog when detached) → state
// directory (src/cli/open_state.ts: locked, or refused when another daemon holds it) → pidfile
// (refuse a second instance before touching anything) → signal handlers (a TERM during start-up
// is honoured) → metrics endpoint → Engine.start() (watches set, init transfers queued and
// started) → init transfers settled or INIT_WAIT_MS → status writer → periodic drift checks
// (verifyInterval: src/engine/periodic_verify.ts, re-planned after each reload) → "ready" (launcher released, systemd READY=1) → wait for TERM/INT,
// serving HUP (reload: config re-read and validated, Engine.reload applies the difference,
// status/metrics settings re-applied), USR1 (log reopen) and USR2 (release the deletes the
// mass-delete guard holds: src/daemon/release_request.ts) → STOPPING=1, engine.stop(grace),
// last status write → state closed → pidfile removed (also after a failed start-up) → log
// flushed and closed.
import type { LoadResult } from '../config/diagnostics.js';
import type { NormalizedConfig } from '../config/schema.js';
import { isLaunchedDaemon, launchDaemon, readinessChannel } from '../daemon/daemonize.js';
import { acquirePidfile, type Pidfile } from '../daemon/pidfile.js';
import { releaseRequestFiles, takeReleaseRequest } from '../daemon/release_request.js';
import { installSignals, SIGNAL_EXIT, type StopSignal } from '../daemon/signals.js';
import { SystemdNotifier } from '../daemon/systemd_notify.js';
import { compileEagerly } from '../daemon/v8_tiering.js';
import { Engine, StartupError } from '../engine/engine.js';
import { createLog, LogfileError, type ServiceLog } from '../log/create_log.js';
import { consoleLog } from '../log/log.js';
import { NativeAbiError } from '../native/native_binding.js';
import { defaultTransportFactory } from '../transports/transport_factory.js';
import { createWatcher } from '../watcher/watcher.js';
import { Observers } from '../daemon/observers.js';
import { PeriodicVerify } from '../engine/periodic_verify.js';
import { shellQuote } from '../process/argv_display.js';
import { EXIT_BAD_CONFIG } from './exit_codes.js';
import { openState, StateBusyError, type OpenedState } from './open_state.js';

export interface DaemonOptions {
  /** -log categories (all, scarce, or names), in order. */
  readonly log: readonly string[];
  /**
   * Re-reads and validates the config file with the same command-line overrides (HUP). Absent
   * for command-line syncs (-rsync SRC TGT): there is nothing to re-read, HUP is logged and ignored.
   */
  readonly reload?: () => Promise<LoadResult>;
  /** The config file, when there is one: the error for too few inotify watches names it. */
  readonly configFile?: string;
  /** -full / --full: every sync starts with the full init transfer (docs/state.md). */
  readonly full?: boolean;
}

/** Grace for running transfers after TERM/INT before they are killed. */
const STOP_GRACE_MS = 10_000;
/** How long start-up waits for the init transfers before it reports "ready" (see the header). */
const INIT_WAIT_MS = 10_000;

/**
 * The service log (src/log/create_log.ts): console in the foreground (+ logfile when set); a
 * detached daemon writes to the logfile, or to syslog without one. A logfile that cannot be opened
 * is fatal for a detached daemon (it would log nowhere visible) but only a warning in the
 * foreground, where every line is on the console anyway (and, under systemd, in the journal).
 */
function makeLog(config: NormalizedConfig, categories: readonly string[], foreground: boolean): ServiceLog {
  try {
    return createLog({ settings: config.settings, categories, foreground });
  } catch (e) {
    if (!(e instanceof LogfileError) || !foreground) throw e;
    const log = createLog({ settings: { ...config.settings, logfile: undefined }, categories, foreground });
    log.warn(`${e.message}; logging to the console only`);
    return log;
  }
}

export async function startDaemon(config: NormalizedConfig, opts: DaemonOptions): Promise<number> {
  const detached = isLaunchedDaemon();
  if (!config.settings.nodaemon && !detached) {
    const log = consoleLog({ categories: opts.log });
    log.normal('--- Startup, daemonizing ---');
    const r = await launchDaemon();
    if (r.code === 0) log.normal(`daemon started as pid ${r.pid}`);
    else log.error(r.error ?? `the daemon failed to start (exit code ${r.code})`);
    return r.code;
  }
  const readiness = readinessChannel();
  const fail = (message: string, log?: ServiceLog): number => {
    if (log) log.error(message);
    else if (!detached) consoleLog({ categories: opts.log }).error(message);
    readiness?.failed(EXIT_BAD_CONFIG, message);
    return EXIT_BAD_CONFIG;
  };
  let log: ServiceLog;
  try {
    log = makeLog(config, opts.log, !detached);
  } catch (e) {
    return fail((e as Error).message);
  }
  log.normal('--- Startup ---');
  compileEagerly();
  // Per-sync state (docs/state.md): opened before the engine so start-up can catch up from it.
  let state: OpenedState | undefined;
  try {
    state = openState(config.settings, { full: opts.full === true, log });
  } catch (e) {
    if (!(e instanceof StateBusyError)) throw e;
    const code = fail(e.message, log);
    await log.close();
    return code;
  }
  // A start-up failure found after Engine.start() (a failed init transfer without insist): it
  // ends the daemon with 255, like the failures start() itself reports.
  let fatal: string | undefined;
  let wake: () => void = () => {};
  // The composition root: the engine gets the real transports and the real inotify watcher here.
  const engine = new Engine(config, {
    log,
    transportFactory: defaultTransportFactory,
    watcherFactory: createWatcher,
    ...(opts.configFile !== undefined ? { sysctlTarget: shellQuote(opts.configFile) } : {}),
    onStartupFailure: (message) => {
      fatal ??= message;
      wake();
    },
    ...(state !== undefined ? { state: state.states } : {}),
  });
  const notify = new SystemdNotifier(engine, (m) => log.warn(m));
  const observers = new Observers(engine, log);
  const verifier = new PeriodicVerify(engine, log, () => observers.writeStatusNow());

  let pidfile: Pidfile | undefined;
  if (config.settings.pidfile !== undefined) {
    try {
      pidfile = acquirePidfile(config.settings.pidfile, {
        onStale: (pid) => log.normal(`replaced stale pidfile ${config.settings.pidfile}${pid !== undefined ? ` (pid ${pid} is not a running lsyncd-ts)` : ''}`),
      });
    } catch (e) {
      const code = fail((e as Error).message, log);
      await state?.close();
      await log.close();
      return code;
    }
  }

  let settings = config.settings;
  let signalled: StopSignal | undefined;
  const stopped = new Promise<void>((resolve) => (wake = resolve));
  let started = false;
  let hupDuringStartup = false;
  const uninstall = installSignals({
    stop(sig) {
      signalled = sig;
      log.normal(`--- ${sig === 'SIGTERM' ? 'TERM' : 'INT'} signal, fading ---`);
      notify.stopping();
      wake();
    },
    async reload() {
      if (!started) {
        log.normal('HUP during start-up: reloading once start-up has finished');
        hupDuringStartup = true;
        return;
      }
      await reloadSerially();
    },
    reopenLog() {
      log.reopen();
      log.normal('USR1: log reopened');
    },
    release() {
      const req = takeReleaseRequest(releaseRequestFiles(settings));
      for (const p of req.problems) log.warn(`USR2: release request ${p}`);
      const done = engine.releaseHeld(req.names);
      log.normal(`USR2: release of ${req.names === undefined ? 'every held sync' : req.names.join(', ')}: ${done.length === 0 ? 'nothing was held' : done.map((d) => `${d.name} (${d.deletes} deletes)`).join(', ')}`);
      observers.writeStatusNow();
    },
  });

  let reloadChain: Promise<void> = Promise.resolve();
  const reloadSerially = (): Promise<void> => (reloadChain = reloadChain.then(() => reloadConfig()));
  const reloadConfig = async (): Promise<void> => {
    if (!opts.reload) {
      log.warn('--- HUP signal: the syncs come from the command line; nothing to re-read ---');
      return;
    }
    log.normal('--- HUP signal, reloading the config ---');
    notify.reloading();
    try {
      const r = await opts.reload();
      if (!r.ok) {
        for (const e of r.errors) log.error(`reload: ${e.text}`);
        log.error('reload: the config is invalid; keeping the running configuration');
        return;
      }
      for (const w of r.warnings) log.warn(`reload: ${w.text}`);
      const report = await engine.reload(r.config);
      verifier.refresh();
      settings = r.config.settings;
      await observers.apply(r.config.settings);
      for (const ch of report.settings) {
        const what = `settings.${ch.key} changed (${JSON.stringify(ch.from)} → ${JSON.stringify(ch.to)})`;
        if (ch.live) log.normal(`reload: ${what}: applied${ch.key === 'insist' || ch.key === 'inotifyMode' ? ' to syncs started from now on' : ''}`);
        else log.warn(`reload: ${what}: restart lsyncd-ts to apply it`);
      }
      const changed = new Set(report.changed);
      const restarted = new Set(report.restarted);
      for (const n of report.kept) log.normal(`reload: ${n}: unchanged (keeps its queue, no resync)`);
      for (const n of report.stopped) {
        if (restarted.has(n)) continue;
        log.normal(`reload: ${n}: ${changed.has(n) ? 'changed: old version stopping' : 'removed: stopping'} (running transfers finish)`);
      }
      for (const n of report.started) {
        const why = restarted.has(n) ? 'had stopped after an error' : changed.has(n) ? 'changed' : 'new';
        log.normal(`reload: ${n}: ${why}: starting with its init transfer`);
      }
      log.normal('--- reload done ---');
    } catch (e) {
      log.error(`reload: ${e instanceof StartupError ? e.message : (e as Error).stack ?? String(e)}; keeping the running configuration`);
    } finally {
      notify.reloaded();
    }
  };

  try {
    try {
      await observers.startMetrics(config.settings);
      await engine.start();
    } catch (e) {
      await engine.stop(0);
      const oneLine = e instanceof StartupError || e instanceof NativeAbiError || (e instanceof Error && /^metrics: /.test(e.message));
      return fail(oneLine ? (e as Error).message : `start-up failed: ${(e as Error).stack ?? String(e)}`, log);
    }
    let initWait: NodeJS.Timeout | undefined;
    await Promise.race([engine.initsSettled(), stopped, new Promise((r) => (initWait = setTimeout(r, INIT_WAIT_MS)))]);
    clearTimeout(initWait);
    if (fatal !== undefined) {
      await engine.stop(STOP_GRACE_MS);
      return fail(fatal, log);
    }
    started = true;
    observers.startStatus(config.settings);
    verifier.refresh();
    if (!signalled) {
      readiness?.ready();
      notify.ready();
    }
    if (hupDuringStartup && !signalled) void reloadSerially();
    if (config.settings.onepass && !signalled) {
      // lsyncd 2.3 `onepass` / `-onepass`: run the init transfers (and whatever changed meanwhile),
      // then exit — 0 when every sync finished, 255 when one could not (its error is logged).
      await Promise.race([engine.whenIdle(), stopped]);
      if (!signalled && fatal === undefined) {
        const failed = engine.status().filter((st) => st.state !== 'running');
        await engine.stop(STOP_GRACE_MS);
        log.normal(`--- onepass finished${failed.length ? `; failed: ${failed.map((f) => f.name).join(', ')}` : ''} ---`);
        return failed.length ? EXIT_BAD_CONFIG : 0;
      }
    }
    await stopped;
    await engine.stop(STOP_GRACE_MS);
    if (fatal !== undefined && !signalled) return fail(fatal, log);
    log.normal(`--- exiting (${signalled}) ---`);
    return SIGNAL_EXIT[signalled ?? 'SIGTERM'];
  } finally {
    await verifier.stop();
    uninstall();
    notify.close();
    await observers.stop();
    await state?.close();
    pidfile?.release();
    await log.close();
  }
}
