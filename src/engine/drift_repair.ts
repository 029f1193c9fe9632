// Whether and how a drifted target is repaired (`lsyncd-ts verify --repair`, src/cli/verify.ts;
// the daemon's `verifyRepair`, periodic_verify.ts): the mass-delete check, then the repair
// transfer (src/transports/repair_target.ts: the sync's own full transfer with --checksum and
// its delete mode).
//
// The mass-delete guard's intent applies to repairs too: when the sync has a guard (deleteGuard
// not false), deletes at full transfers (delete true or "startup"), and the extra files a repair
// would delete pass the guard's rule (delete_guard.ts isMassDelete: D = those files, S = entries
// in the source, counted with the sync's rules as the guard counts them), the repair is refused
// with one line naming `--force`. Seen from the target, an emptied or unmounted source looks
// like "most of the target is extra"; a repair must not be a way around the guard. `force`
// skips the check (the operator has looked); the daemon never forces.
import type { NormalizedSync } from '../config/schema.js';
import type { RuleList } from '../filters/rule_list.js';
import { shellQuote } from '../process/argv_display.js';
import { countWatchedDirs } from '../sysctl/count_dirs.js';
import { deletesOnFull } from '../transports/delete_mode.js';
import { repairTarget, type RepairTransferOutcome } from '../transports/repair_target.js';
import type { VerifyRules } from '../transports/verify_target.js';
import { isMassDelete, sourceBound } from './delete_guard.js';

/** `reason`: one line, without a "repair refused/failed" prefix (callers add it). */
export type RepairOutcome = RepairTransferOutcome | { readonly kind: 'refused'; readonly reason: string };

export interface RepairOptions {
  /** The sync's compiled rules: the source is counted with them for the mass-delete check. */
  readonly ruleList: RuleList;
  /** Skip the mass-delete check. */
  readonly force: boolean;
  readonly signal?: AbortSignal;
}

/**
 * Why repairing would be a mass delete (see the header), or undefined when it may run. `extra`:
 * the extra files verify found; `countSource(stopAfter)` counts the source's entries.
 */
export function massDeleteRefusal(sync: NormalizedSync, extra: number, countSource: (stopAfter: number) => number): string | undefined {
  const g = sync.deleteGuard;
  if (g === false || !deletesOnFull(sync.delete) || extra < g.minimum) return undefined;
  const sourceEntries = countSource(sourceBound(extra, g.fraction));
  if (!isMassDelete({ deleted: extra, sourceEntries, fraction: g.fraction, minimum: g.minimum })) return undefined;
  return (
    `it would delete ${extra} files on the target that the source lacks, with ${sourceEntries} entries in the source ` +
    `(the mass-delete guard holds at ${g.minimum} deletes and ${Math.round(g.fraction * 100)} % of the target) — ` +
    `check that the source is complete, then run "lsyncd-ts verify --repair --force --sync ${shellQuote(sync.name)} CONFIG"`
  );
}

/** Repairs one drifted target unless that would be a mass delete; `extra` is verify's count of extra files that are drift. */
export async function repairDrift(sync: NormalizedSync, rules: VerifyRules, extra: number, opts: RepairOptions): Promise<RepairOutcome> {
  if (!opts.force) {
    const refusal = massDeleteRefusal(sync, extra, (stopAfter) =>
      countWatchedDirs(sync.source, { rules: opts.ruleList, countEntries: true, stopAfterEntries: stopAfter }).entries,
    );
    if (refusal !== undefined) return { kind: 'refused', reason: refusal };
  }
  return repairTarget(sync, rules, opts.signal);
}
