// What the last periodic drift check of a sync found (`verifyInterval`; src/engine/periodic_verify.ts
// runs the checks). The sync's runner carries it (SyncRunner.verification), so the status file,
// its JSON twin, the metrics and /healthz read it with the rest of the sync's status, and a
// reload that restarts the sync starts it afresh (undefined: no check has finished yet).
export interface VerifyStatus {
  /** Wall-clock ms when the check finished. */
  readonly at: number;
  readonly state: 'clean' | 'drifted' | 'error';
  /** Drift counts of the check; `extra` only where extra files are drift (delete true or "startup"). 0 for error. */
  readonly missing: number;
  readonly changed: number;
  readonly extra: number;
  /** error: why the check could not run (one line). */
  readonly reason?: string | undefined;
  /** With verifyRepair: the last repair — when, and what came of it (the counts above are from the check after it). */
  readonly repair?: VerifyRepairStatus | undefined;
}

export interface VerifyRepairStatus {
  /** Wall-clock ms when the repair finished. */
  readonly at: number;
  /** skipped: the mass-delete guard holds the sync's deletes, so nothing is repaired until release. */
  readonly outcome: 'repaired' | 'refused' | 'failed' | 'skipped';
  /** Why, for refused / failed / skipped (one line). */
  readonly reason?: string | undefined;
}

/** Files that differ from the source (0 unless drifted). */
export function driftFiles(v: Pick<VerifyStatus, 'missing' | 'changed' | 'extra'>): number {
  return v.missing + v.changed + v.extra;
}
