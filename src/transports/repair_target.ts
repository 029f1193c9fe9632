// Repair of one drifted target (`lsyncd-ts verify --repair`, and the daemon's periodic verify
// with `verifyRepair = true`, src/daemon/periodic_verify.ts): brings the target back to the
// source after verify_target.ts found drift.
//
// The repair is the sync's own full transfer (verify_target.ts fullTransferWith: the same
// filters, excludes, rsync{} flags, ssh options and target form as a startup transfer) run for
// real, with `--checksum` added: verify compares content by checksum, so it can report a changed
// file whose size and mtime still match the source, and rsync's quick check would skip exactly
// that file.
//  - Deletes: the sync's full-transfer delete mode, unchanged (`delete` true or "startup"
//    delete, false and "running" never do: delete_mode.ts deletesOnFull). That is verify's rule
//    for when extra files count as drift, so a repair deletes only what verify reported as drift.
//  - The mass-delete guard's intent: when the sync has a guard (deleteGuard not false) and the
//    extra files the repair would delete pass the guard's rule (delete_guard.ts isMassDelete:
//    D = those files, S = entries in the source, counted with the sync's rules), the repair is
//    refused with one line naming `--force`. Seen from the target, an emptied or unmounted
//    source looks like "most of the target is extra"; a repair must not be a way around the
//    guard. `force` skips the check (the operator has looked).
//  - rsync exit 0 or 24 (a source file vanished meanwhile) is done; anything else fails with one
//    line (verify_target.ts rsyncRunProblem).
// The outcome says what ran, not that the target is clean: callers verify again.
import type { NormalizedSync } from '../config/schema.js';
import type { RuleList } from '../filters/rule_list.js';
import { isMassDelete, sourceBound } from '../engine/delete_guard.js';
import { shellQuote } from '../process/argv_display.js';
import { runCommand } from '../process/process_runner.js';
import { countWatchedDirs } from '../sysctl/count_dirs.js';
import { deletesOnFull } from './delete_mode.js';
import { fullTransferWith, rsyncRunProblem, type VerifyRules } from './verify_target.js';

/** `reason`: one line, without a "repair refused/failed" prefix (callers add it). */
export type RepairOutcome =
  | { readonly kind: 'repaired' }
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'failed'; readonly reason: string };

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

/** Repairs one drifted target; `extra` is verify's count of extra files (see the header). */
export async function repairTarget(sync: NormalizedSync, rules: VerifyRules, extra: number, opts: RepairOptions): Promise<RepairOutcome> {
  const cmd = fullTransferWith(sync, rules, sync.delete, { first: [], last: ['--checksum'] });
  if (cmd === undefined) return { kind: 'failed', reason: 'custom actions: no rsync transfer to repair with' };
  if (!opts.force) {
    const refusal = massDeleteRefusal(sync, extra, (stopAfter) =>
      countWatchedDirs(sync.source, { rules: opts.ruleList, countEntries: true, stopAfterEntries: stopAfter }).entries,
    );
    if (refusal !== undefined) return { kind: 'refused', reason: refusal };
  }
  const r = await runCommand(cmd, opts.signal !== undefined ? { signal: opts.signal } : {});
  const problem = rsyncRunProblem(cmd, r);
  return problem === undefined ? { kind: 'repaired' } : { kind: 'failed', reason: problem };
}
