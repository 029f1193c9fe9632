/**
 * How an event batch that changes file content makes rsync compare the files it lists — the one
 * home of that decision (batch_argv.ts puts the answer on the command line).
 *
 * Two things must hold for every listed file:
 *   - a rewrite reaches the target even when size and mtime second match: rsync's quick check
 *     compares mtimes in whole seconds by default, so a file rewritten with the same size within
 *     the second of its previous transfer (a status word, a counter, a database page) would be
 *     skipped for good — lsyncd loses that update;
 *   - a file the target already holds is not written again: in a two-way setup (A -> B and
 *     B -> A, README "Synching in both directions") the copy rsync writes on B is an event on B,
 *     and B's batch for it must find A's file identical and leave it alone, or the change echoes
 *     back and forth forever, with a new inode each time (this is what `--ignore-times` did).
 *
 * The answer:
 *   - `--modify-window=-1` (the default): rsync's quick check compares mtimes to the nanosecond.
 *     A rewrite has a new mtime, an identical copy keeps the one rsync gave it, and the check
 *     costs no extra reads — a 128-byte change in a large file costs what it costs lsyncd.
 *     Needs rsync >= 3.1.3 on the receiving side (it is sent to the receiver as `-@-1`).
 *   - `--checksum` when `rsync.update` is set: rsync applies the modify window to `--update` as
 *     well, so with -1 a receiver's copy is kept only when it is at least 2 s newer and an older
 *     edit from the other side overwrites a newer one — wrong for the two-way recipe, which
 *     relies on `update` (last writer wins). `--checksum` compares files of equal size by
 *     content and leaves `update` alone; the price is one more read of each listed file on both
 *     sides (for large files, noticeable).
 *   - `--checksum` also when the receiver turned `-@-1` down (an rsync older than 3.1.3 on a
 *     remote target): receiverRejectedWindow() recognises that failure, and the transport keeps
 *     `--checksum` for its later batches.
 *   - nothing when the user already asked for `checksum = true` (its `-c` is among the flags).
 */
import type { RsyncTable } from './flags.js';

export const NS_WINDOW = '--modify-window=-1';
export const CHECKSUM = '--checksum';

export function contentCompareArg(rsync: RsyncTable, receiverLacksWindow: boolean): string | undefined {
  if (rsync.checksum === true) return undefined;
  return rsync.update === true || receiverLacksWindow ? CHECKSUM : NS_WINDOW;
}

/**
 * True when rsync failed because its receiver does not know the nanosecond window: stderr has
 * the receiver's "unknown option" naming the option as sent (`-@`) or by its name. The exit code
 * says little: the local rsync usually reports the receiver's early exit as a broken protocol
 * stream (12), not as the receiver's own usage error (1).
 */
export function receiverRejectedWindow(code: number | null, stderrTail: string): boolean {
  return code !== null && code !== 0 && /(^|[\s'"])(-@|--modify-window)\S*: unknown option/m.test(stderrTail);
}

/** The reason of the `again` that follows: the next batch retries with `--checksum`. */
export const WINDOW_REJECTED =
  "the target's rsync is older than 3.1.3 and turned --modify-window=-1 down; retrying, and comparing by --checksum from now on";
