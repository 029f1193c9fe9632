// Has the target's root directory gone away under a running sync (`rm -rf /srv/mirror`)? A
// batch only carries the changed paths, so rsync (which recreates a missing destination
// directory) or the direct copier would bring back just those and leave the rest of the mirror
// missing until the next restart. Before each batch the local transports (direct, rsync to a
// local path: local_target.ts) stat the root — one syscall per batch — and when it existed and is missing
// they skip the batch and ask the runner for a full resync instead (TransferReport.fullResync),
// which recreates the root and everything in it; while that fails (the root's parent is gone
// too) the runner retries it with backoff like any failed transfer.
//
// Remote targets (host:path, rsync://, rsyncssh) have no such free check: a stat there is an
// ssh round trip per batch, and rsync prints "created directory" only with -v (then for every
// file too). There rsync recreates the root with the batch's paths and the rest comes back at
// the next full transfer (restart, reload, overflow) — documented in README. The one free
// signal is a failure: when the root's parent is gone too, rsync cannot create the root and
// says `mkdir "…" failed: No such file or directory` (rootParentMissing); then the failed batch
// asks for a full resync as well, so the whole tree returns once the path exists again.
import { statSync } from 'node:fs';

/**
 * One local target root. Only a root that existed — after a successful full transfer, or seen
 * before an earlier batch — counts as gone when missing: a target that was never created
 * (init = false) is simply created by the batch, as before.
 */
export class TargetRoot {
  private existed = false;

  constructor(private readonly target: string) {}

  /** A full transfer succeeded: the root exists now. */
  transferred(): void {
    this.existed = true;
  }

  /** Before a batch: the reason for a full resync when the root existed and is missing now. */
  gone(): string | undefined {
    let st;
    try {
      st = statSync(this.target, { throwIfNoEntry: false });
    } catch {
      return undefined; // cannot tell (EACCES on a parent, ...): let the batch run and report
    }
    if (st !== undefined) {
      this.existed = true;
      return undefined;
    }
    return this.existed ? `target ${this.target} is gone` : undefined;
  }
}

/** rsync's stderr says it could not create the destination directory: its parent is missing. */
export function rootParentMissing(stderrTail: string): boolean {
  return /\] mkdir ".*" failed: No such file or directory \(2\)/.test(stderrTail);
}

/** The fullResync reason that goes with rootParentMissing. */
export const ROOT_PARENT_MISSING = 'the target directory and its parent are missing';
