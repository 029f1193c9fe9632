// Where `run` and the legacy form hand a valid config to the sync engine (src/engine/engine.ts).
//
// Contract: resolves with the process exit code once the engine has stopped —
//   255 when start-up fails (source missing, unreadable excludeFrom, ...; one line naming the fix),
//   143 after SIGTERM and 130 after SIGINT (lsyncd's codes, lsyncd-behaviour.md §9): watching
//   stops at once, running transfers get a bounded grace to finish.
// Issue 5 adds daemonizing, the pidfile, HUP reload, log files/syslog and systemd notify; until
// then lsyncd-ts always stays in the foreground (as with -nodaemon) and logs to the console.
import type { NormalizedConfig } from '../config/schema.js';
import { Engine, StartupError } from '../engine/engine.js';
import { consoleLog } from '../log/log.js';
import { EXIT_BAD_CONFIG } from './exit_codes.js';

export interface DaemonOptions {
  /** -log categories (all, scarce, or names), in order. */
  readonly log: readonly string[];
}

/** Grace for running transfers after TERM/INT before they are killed. */
const STOP_GRACE_MS = 10_000;

const SIGNAL_EXIT: Record<'SIGTERM' | 'SIGINT', number> = { SIGTERM: 143, SIGINT: 130 };

export async function startDaemon(config: NormalizedConfig, opts: DaemonOptions): Promise<number> {
  const log = consoleLog({ categories: opts.log });
  log.normal('--- Startup ---');
  const engine = new Engine(config, { log });
  let signalled: 'SIGTERM' | 'SIGINT' | undefined;
  let wake: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (wake = resolve));
  const onSignal = (sig: 'SIGTERM' | 'SIGINT') => {
    if (signalled) return;
    signalled = sig;
    log.normal(`--- ${sig === 'SIGTERM' ? 'TERM' : 'INT'} signal, fading ---`);
    wake();
  };
  const onTerm = () => onSignal('SIGTERM');
  const onInt = () => onSignal('SIGINT');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  try {
    try {
      await engine.start();
    } catch (e) {
      log.error(e instanceof StartupError ? e.message : `start-up failed: ${(e as Error).stack ?? String(e)}`);
      await engine.stop(0);
      return EXIT_BAD_CONFIG;
    }
    await stopped;
    await engine.stop(STOP_GRACE_MS);
    return SIGNAL_EXIT[signalled ?? 'SIGTERM'];
  } finally {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
  }
}
