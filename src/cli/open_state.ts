// Opening the per-sync state for one daemon run (docs/state.md): where it lives, the lock that
// keeps a second daemon off it, and what happens when it cannot be used.
//
// Contract:
//   - the directory is settings.stateDir; unset, systemd's $STATE_DIRECTORY (the units set
//     StateDirectory=lsyncd-ts, so a service keeps state in /var/lib/lsyncd-ts); false or neither:
//     no state (every start is a full transfer, as before);
//   - one daemon per state directory: <dir>/lock is a pidfile (src/daemon/pidfile.ts: exclusive
//     creation, a dead or foreign pid is stale). LMDB's own lock file does not keep a second
//     writer process out, two daemons would interleave their manifests. A live holder → a
//     StateBusyError (the daemon refuses to start, one line with the reason and the fix);
//   - anything else that stops the state from working (unwritable, read-only, full, corrupt
//     beyond repair) → one error line naming the path and the fix, and the run goes on WITHOUT
//     state: full init transfers, nothing lost. A discarded or moved-aside database is logged.
import path from 'node:path';
import { mkdirSync } from 'node:fs';

import { acquirePidfile, PidfileBusyError, type Pidfile } from '../daemon/pidfile.js';
import type { Log } from '../log/log.js';
import type { NormalizedSettings } from '../config/schema.js';
import { StateError, StateStore } from '../state/state_store.js';
import { SyncStates } from '../state/sync_states.js';

export class StateBusyError extends Error {}

export interface OpenedState {
  readonly states: SyncStates;
  /** Closes the database (after the engine stopped) and releases the lock. */
  close(): Promise<void>;
}

/** The state directory of these settings, or undefined when state is off. */
export function stateDirOf(settings: Pick<NormalizedSettings, 'stateDir'>, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (settings.stateDir === false) return undefined;
  if (settings.stateDir !== undefined) return settings.stateDir;
  // systemd may list several directories (StateDirectory=a b): the first is ours.
  const fromSystemd = env.STATE_DIRECTORY?.split(':')[0];
  return fromSystemd !== undefined && fromSystemd !== '' ? fromSystemd : undefined;
}

export function openState(settings: Pick<NormalizedSettings, 'stateDir'>, opts: { readonly full: boolean; readonly log: Log }): OpenedState | undefined {
  const dir = stateDirOf(settings);
  if (dir === undefined) return undefined;
  const { log } = opts;
  let lock: Pidfile;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    lock = acquirePidfile(path.join(dir, 'lock'), {
      onStale: (pid) => log.normal(`state directory ${dir}: replaced a stale lock${pid !== undefined ? ` (pid ${pid} is not a running lsyncd-ts)` : ''}`),
    });
  } catch (e) {
    if (e instanceof PidfileBusyError) {
      throw new StateBusyError(`state directory ${dir} is in use by lsyncd-ts pid ${e.pid} — stop that daemon first, or give this one its own settings.stateDir`);
    }
    log.error(`state directory ${dir} cannot be used (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}) — make it writable for this user, or set settings.stateDir to another directory; continuing without state (full transfers at start-up)`);
    return undefined;
  }
  let store: StateStore;
  try {
    store = StateStore.open(dir);
  } catch (e) {
    lock.release();
    if (!(e instanceof StateError)) throw e;
    log.error(`${e.message}; continuing without state (full transfers at start-up)`);
    return undefined;
  }
  if (store.recovered !== undefined) log.warn(store.recovered);
  if (store.discarded !== undefined) log.warn(store.discarded);
  return {
    states: new SyncStates({ store, forceFull: opts.full, log }),
    async close() {
      try {
        await store.close();
      } finally {
        lock.release();
      }
    },
  };
}
