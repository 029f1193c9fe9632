// Where `run` and the legacy form hand a valid config to the sync engine (src/engine/engine.ts):
// the process lifecycle of issue 5 (lsyncd-behaviour.md §4, §9; lsyncd issues #438, #495, #465,
// #580). One concern per module under src/daemon/; this file only puts them in order.
//
// Contract: resolves with the process exit code —
//   daemon mode (settings.nodaemon false, the launcher): 0 once the daemon reported that start-up
//     succeeded, otherwise the daemon's code (255) with its error on stderr (daemonize.ts);
//   foreground / the daemon itself: 255 when start-up fails (pidfile held by a live instance,
//     source missing, unreadable excludeFrom, ...; one line naming the fix), 143 after SIGTERM and
//     130 after SIGINT: watching stops at once, running transfers get STOP_GRACE_MS to finish.
// Order: pidfile (refuse a second instance before touching anything) → signal handlers (a TERM
// during start-up is honoured) → Engine.start() (watches set, init transfers queued and started)
// → "ready" (launcher released, systemd READY=1) → wait for TERM/INT, serving HUP (reload) and
// USR1 (log reopen) → STOPPING=1, engine.stop(grace) → pidfile removed (also after a failed
// start-up).
import { closeSync, openSync, writeSync } from 'node:fs';

import type { LoadResult } from '../config/diagnostics.js';
import type { NormalizedConfig } from '../config/schema.js';
import { isLaunchedDaemon, launchDaemon, readinessChannel } from '../daemon/daemonize.js';
import { acquirePidfile, type Pidfile } from '../daemon/pidfile.js';
import { installSignals, SIGNAL_EXIT, type StopSignal } from '../daemon/signals.js';
import { SystemdNotifier } from '../daemon/systemd_notify.js';
import { Engine, StartupError } from '../engine/engine.js';
import { consoleLog, type Log } from '../log/log.js';
import { EXIT_BAD_CONFIG } from './exit_codes.js';

export interface DaemonOptions {
  /** -log categories (all, scarce, or names), in order. */
  readonly log: readonly string[];
  /**
   * Re-reads and validates the config file with the same command-line overrides (HUP). Absent
   * for command-line syncs (-rsync SRC TGT): there is nothing to re-read, HUP is logged and ignored.
   */
  readonly reload?: () => Promise<LoadResult>;
}

/** Grace for running transfers after TERM/INT before they are killed. */
const STOP_GRACE_MS = 10_000;

/**
 * The daemon's log. Console in the foreground. INTERIM until the winston ServiceLog
 * (src/log/create_log.ts) lands: a detached daemon appends the same lines to settings.logfile
 * (reopened on USR1, so logrotate's rename works) or, without a logfile, loses them (its stdio is
 * /dev/null).
 */
function makeLog(config: NormalizedConfig, categories: readonly string[], detached: boolean): Log & { reopen(): void; close(): void } {
  const file = config.settings.logfile;
  if (!detached || file === undefined) return Object.assign(consoleLog({ categories }), { reopen() {}, close() {} });
  let fd: number | undefined;
  const open = () => {
    try {
      fd = openSync(file, 'a', 0o640);
    } catch {
      fd = undefined;
    }
  };
  open();
  const log = consoleLog({
    categories,
    write: (line) => {
      if (fd === undefined) return;
      try {
        writeSync(fd, `${line}\n`);
      } catch {
        /* disk full or similar: keep running */
      }
    },
  });
  const close = () => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
  };
  return Object.assign(log, {
    reopen() {
      close();
      open();
    },
    close,
  });
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
  const log = makeLog(config, opts.log, detached);
  log.normal('--- Startup ---');
  const engine = new Engine(config, { log });
  const notify = new SystemdNotifier(engine, (m) => log.warn(m));

  let pidfile: Pidfile | undefined;
  const fail = (message: string): number => {
    log.error(message);
    readiness?.failed(EXIT_BAD_CONFIG, message);
    return EXIT_BAD_CONFIG;
  };
  if (config.settings.pidfile !== undefined) {
    try {
      pidfile = acquirePidfile(config.settings.pidfile, {
        onStale: (pid) => log.normal(`replaced stale pidfile ${config.settings.pidfile}${pid !== undefined ? ` (pid ${pid} is not a running lsyncd-ts)` : ''}`),
      });
    } catch (e) {
      log.close();
      return fail((e as Error).message);
    }
  }

  let signalled: StopSignal | undefined;
  let wake: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (wake = resolve));
  let started = false;
  const uninstall = installSignals({
    stop(sig) {
      signalled = sig;
      log.normal(`--- ${sig === 'SIGTERM' ? 'TERM' : 'INT'} signal, fading ---`);
      notify.stopping();
      wake();
    },
    async reload() {
      if (!started) {
        log.warn('HUP during start-up ignored; send it again once started');
        return;
      }
      await reloadConfig();
    },
    reopenLog() {
      log.reopen();
      log.normal('USR1: log reopened');
    },
  });

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
      for (const ch of report.settings) {
        const what = `settings.${ch.key} changed (${JSON.stringify(ch.from)} → ${JSON.stringify(ch.to)})`;
        if (ch.live) log.normal(`reload: ${what}: applied${ch.key === 'insist' || ch.key === 'inotifyMode' ? ' to syncs started from now on' : ''}`);
        else log.warn(`reload: ${what}: restart lsyncd-ts to apply it`);
      }
      const changed = new Set(report.changed);
      for (const n of report.kept) log.normal(`reload: ${n}: unchanged (keeps its queue, no resync)`);
      for (const n of report.stopped) log.normal(`reload: ${n}: ${changed.has(n) ? 'changed: old version stopping' : 'removed: stopping'} (running transfers finish)`);
      for (const n of report.started) log.normal(`reload: ${n}: ${changed.has(n) ? 'changed' : 'new'}: starting with its init transfer`);
      log.normal('--- reload done ---');
    } catch (e) {
      log.error(`reload: ${e instanceof StartupError ? e.message : (e as Error).stack ?? String(e)}; keeping the running configuration`);
    } finally {
      notify.reloaded();
    }
  };

  try {
    try {
      await engine.start();
    } catch (e) {
      await engine.stop(0);
      return fail(e instanceof StartupError ? e.message : `start-up failed: ${(e as Error).stack ?? String(e)}`);
    }
    started = true;
    if (!signalled) {
      readiness?.ready();
      notify.ready();
    }
    await stopped;
    await engine.stop(STOP_GRACE_MS);
    log.normal(`--- exiting (${signalled}) ---`);
    return SIGNAL_EXIT[signalled ?? 'SIGTERM'];
  } finally {
    uninstall();
    notify.close();
    pidfile?.release();
    log.close();
  }
}
