// The repair transfer of one drifted target: what `lsyncd-ts verify --repair` and the daemon's
// `verifyRepair` run once engine/drift_repair.ts has decided a repair may run.
//
// It is the sync's own full transfer (verify_target.ts fullTransferWith: the same filters,
// excludes, rsync{} flags, ssh options and target form as a startup transfer) run for real, with
// `--checksum` added: verify compares content by checksum, so it can report a changed file whose
// size and mtime still match the source, and rsync's quick check would skip exactly that file.
// Deletes follow the sync's full-transfer delete mode, unchanged (`delete` true or "startup"
// delete, false and "running" never do: delete_mode.ts deletesOnFull) — verify's own rule for when
// extra files count as drift, so a repair deletes only what verify reported as drift.
// rsync exit 0 or 24 (a source file vanished meanwhile) is done; anything else fails with one
// line (verify_target.ts rsyncRunProblem). The outcome says what ran, not that the target is
// clean: callers verify again.
import type { NormalizedSync } from '../config/schema.js';
import { runCommand } from '../process/process_runner.js';
import { fullTransferWith, rsyncRunProblem, type VerifyRules } from './verify_target.js';

/** `reason`: one line, without a "repair failed" prefix (callers add it). */
export type RepairTransferOutcome = { readonly kind: 'repaired' } | { readonly kind: 'failed'; readonly reason: string };

export async function repairTarget(sync: NormalizedSync, rules: VerifyRules, signal?: AbortSignal): Promise<RepairTransferOutcome> {
  const cmd = fullTransferWith(sync, rules, sync.delete, { first: [], last: ['--checksum'] });
  if (cmd === undefined) return { kind: 'failed', reason: 'custom actions: no rsync transfer to repair with' };
  const r = await runCommand(cmd, signal !== undefined ? { signal } : {});
  const problem = rsyncRunProblem(cmd, r);
  return problem === undefined ? { kind: 'repaired' } : { kind: 'failed', reason: problem };
}
