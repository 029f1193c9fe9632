// Sync states: hands the engine one ledger per sync (sync_ledger.ts) and decides, once per sync
// start, whether its start-up may be a catch-up or must be the full init transfer.
//
// A catch-up needs: a state store (settings.stateDir, opened by the daemon: src/cli/open_state.ts),
// no --full, a sync kind a manifest can describe (fingerprint.ts keepsState), `init` on, a stored
// manifest, a stored fingerprint equal to the sync's, and no unsettled full transfer (the
// unsettled mark on '/', sync_ledger.ts). Otherwise the full init runs, and its
// success writes the manifest afresh. The reason is logged as one line either way.
import type { NormalizedSync } from '../config/schema.js';
import type { RuleList } from '../filters/rule_list.js';
import type { Log } from '../log/log.js';
import { configFingerprint, keepsState } from './fingerprint.js';
import { sourceRootBytes } from './source_scan.js';
import type { StateStore } from './state_store.js';
import { SyncLedger } from './sync_ledger.js';

export interface SyncStatesOptions {
  readonly store: StateStore;
  /** --full: every sync of this run starts with the full init transfer. */
  readonly forceFull: boolean;
  readonly log: Log;
}

export class SyncStates {
  constructor(private readonly o: SyncStatesOptions) {}

  /**
   * The ledger of a sync whose source is resolved (trailing '/') and rules compiled; undefined
   * when this kind of sync keeps no state.
   */
  ledgerFor(sync: NormalizedSync, rules: RuleList): SyncLedger | undefined {
    if (!keepsState(sync) || !sync.init) return undefined;
    const fingerprint = configFingerprint(sync, rules.rules);
    const { store, log } = this.o;
    let fullReason: string | undefined;
    try {
      const stored = store.fingerprint(sync.name);
      if (this.o.forceFull) fullReason = '-full was given';
      else if (stored === undefined) fullReason = `no state recorded yet in ${store.dir}`;
      else if (stored !== fingerprint) fullReason = 'its configuration changed since the state was recorded';
      else if (store.unsettled(sync.name).includes('/')) fullReason = 'the daemon stopped during or right after a full transfer';
    } catch (e) {
      fullReason = `the state database cannot be read (${(e as Error).message})`;
    }
    if (fullReason !== undefined) log.normal(`${sync.name}: full init transfer: ${fullReason}`);
    return new SyncLedger({ store, name: sync.name, fingerprint, rootBytes: sourceRootBytes(sync.source), rules, log, fullReason });
  }
}
