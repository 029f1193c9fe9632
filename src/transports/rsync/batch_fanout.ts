/**
 * "Compute once, send many": one change set to many targets through rsync's batch mode
 * (rsync(1) BATCH MODE; docs/batch-mode.md has the measurements and the rsync behaviour this
 * contract rests on). Pure argv builders, the outcome check of one read, and the decision
 * whether a change set should go this way. Nothing here spawns a process.
 *
 * The flow the caller runs:
 *   1. batchWriteCommand: `rsync … --only-write-batch=FILE SRC/ REF/` against ONE target (the
 *      reference; local dir or `host:dir` with the sync's --rsh). The hub reads and checksums
 *      the changed files once; REF is not modified. FILE is on the hub, in a private directory
 *      the caller owns and removes (rsync also writes FILE.sh there, which nobody needs).
 *   2. per target, reference included: batchReadCommand. A local target runs
 *      `rsync … --read-batch=FILE TGT/`. A remote target runs
 *      `ssh … HOST rsync … --read-batch=- TARGETDIR/` with FILE as ssh's stdin
 *      (`stdinFile`): rsync refuses a `host:dir` destination with --read-batch ("remote
 *      destination is not allowed"), so the whole receiving rsync runs on the target and the
 *      hub only streams the batch bytes.
 *   3. per read: batchReadRejected(code, stderr). True means the target was not identical to
 *      the reference (or could not read the batch) and this change set is NOT on it — the
 *      caller runs the ordinary per-target rsync (batch_argv.ts) for that target, which repairs
 *      whatever the read left behind.
 *
 * Invariants the argv keeps, each because rsync needs it:
 *   - The batch never carries deletions: it is written without --delete, and the read side has
 *     no filter list (its stdin may be the batch), so a --delete there would delete everything
 *     the batch does not name. useBatchFanout refuses change sets with deletions.
 *   - `--no-inc-recursive` on both sides: with incremental recursion a read whose file fails
 *     verification waits forever for a resend the batch does not hold (rsync 3.5.0 hangs).
 *   - `--itemize-changes` on the read: the "failed verification -- update discarded" warning of
 *     a differing target is printed only when names are logged; without it a rejected batch is
 *     silent AND exits 0.
 *   - The same content comparison (content_compare.ts) and rsync{} flags on both sides, so the
 *     target's quick check matches the reference's, minus the connection-only options
 *     (--rsh, --rsync-path, --password-file), which mean nothing to a read on the target.
 *   - `inplace = true` is passed through, but a differing target then keeps a half-applied file
 *     ("update retained", exit 0): batchReadRejected still reports it and the fallback rsync
 *     rewrites it, so the target is never left wrong, only wrong until the fallback ends.
 */
import type { WireRule } from '../../filters/rule_list.js';
import type { Command } from '../../process/command.js';
import { shQuoteBytes } from '../rsyncssh/remote_moves.js';
import { type SshControl, type SshTable, sshArgs, sshBinary } from '../rsyncssh/ssh_argv.js';
import { rsyncBatchCommand } from './batch_argv.js';
import { contentCompareArg } from './content_compare.js';
import { type RsyncTable, rsyncBinary, rsyncFlags } from './flags.js';
import type { IncludeEntry } from './include_list.js';

/** Options both the writing and the reading rsync get (see header). */
export const NO_INC_RECURSIVE = '--no-inc-recursive';
export const ITEMIZE = '--itemize-changes';
/** rsync{} options that only concern reaching a remote rsync. */
const CONNECTION_ONLY = ['--rsh=', '--rsync-path=', '--password-file='] as const;

export interface BatchWriteInput {
  readonly rsync: RsyncTable;
  /** Source directory with trailing "/". */
  readonly source: string;
  /** The reference target, as batch_argv.ts takes it (`dir/` or `host:dir/`). */
  readonly reference: string;
  readonly entries: readonly IncludeEntry[];
  readonly rules?: readonly WireRule[];
  /** Generated `--rsh=ssh …` when the reference is remote (ssh_argv.ts rshOption). */
  readonly extraRsh?: string;
  readonly receiverLacksWindow?: boolean;
  /** Where the batch is written, on the hub. */
  readonly batchFile: string;
}

/** Step 1: record the change set against the reference without changing it. */
export function batchWriteCommand(input: BatchWriteInput): Command {
  const plain = rsyncBatchCommand({
    rsync: input.rsync,
    delete: false,
    source: input.source,
    target: input.reference,
    entries: input.entries,
    rules: input.rules,
    extraRsh: input.extraRsh,
    contentChanged: true,
    receiverLacksWindow: input.receiverLacksWindow,
  });
  const head = plain.args.slice(0, -2);
  const tail = plain.args.slice(-2);
  return { ...plain, args: [...head, NO_INC_RECURSIVE, `--only-write-batch=${input.batchFile}`, ...tail] };
}

/** A read to one target; `stdinFile` set means the caller opens that file as the child's stdin. */
export interface BatchReadCommand extends Command {
  readonly stdinFile: string | undefined;
}

interface ReadCommon {
  readonly rsync: RsyncTable;
  readonly batchFile: string;
  readonly receiverLacksWindow?: boolean;
}

export interface LocalReadInput extends ReadCommon {
  /** Local target directory with trailing "/". */
  readonly target: string;
}

export interface RemoteReadInput extends ReadCommon {
  readonly host: string;
  /** Target directory on the host, with trailing "/" (relative = below the login's home). */
  readonly targetdir: string;
  readonly ssh: SshTable;
  readonly control?: SshControl;
}

/** The reading rsync's options, without the batch source and the target (see header). */
function readArgs(input: ReadCommon): string[] {
  const flags = rsyncFlags(input.rsync).filter((a) => !CONNECTION_ONLY.some((p) => a.startsWith(p)));
  const args = [...flags, '-r', NO_INC_RECURSIVE, ITEMIZE];
  const compare = contentCompareArg(input.rsync, input.receiverLacksWindow === true);
  if (compare !== undefined) args.push(compare);
  return args;
}

/** Step 2: apply the batch to one target (local dir or `ssh HOST rsync …`). */
export function batchReadCommand(input: LocalReadInput | RemoteReadInput): BatchReadCommand {
  if ('target' in input) {
    return { binary: rsyncBinary(input.rsync), args: [...readArgs(input), `--read-batch=${input.batchFile}`, input.target], stdin: undefined, stdinFile: undefined };
  }
  // ssh joins the words after HOST into one line for the login shell: each is single-quoted.
  const remote = [input.rsync.rsync_path ?? 'rsync', ...readArgs(input), '--read-batch=-', input.targetdir].map(shQuoteBytes);
  return { binary: sshBinary(input.ssh), args: [...sshArgs(input.ssh, input.control), input.host, ...remote], stdin: undefined, stdinFile: input.batchFile };
}

/**
 * Step 3: did the target refuse the batch? Any non-zero exit (a missing basis file is a
 * protocol error, 2; an rsync too old for the batch, 1 or 12; ssh, 255), or a verification
 * failure, which rsync reports only as a warning and exit 0 (see header). "Skipping batched
 * update" is not a refusal: the target already had that file.
 */
export function batchReadRejected(code: number | null, stderr: string): boolean {
  return code !== 0 || /failed verification|No batched update for/.test(stderr);
}

// ---------- the decision ----------

/**
 * Thresholds of useBatchFanout. Writing the batch costs the hub several plain transfers (batch
 * mode forces MD5 block and file checksums, where a plain transfer negotiates xxh128), and each
 * read still costs the hub one ssh connection; what a read saves is the hub's pass over the
 * changed files. That pays back from about 8 remote targets for files of 64 MiB and more, and
 * never for a few MiB (docs/batch-mode.md has the numbers); 10 leaves room for the odd read that
 * is rejected and costs a plain transfer on top.
 */
export const MIN_BATCH_BYTES = 64 * 2 ** 20;
export const MIN_REMOTE_TARGETS = 10;

export interface FanoutChangeSet {
  /** Targets reached over ssh that receive this change set. Local targets do not count (see below). */
  readonly remoteTargets: number;
  /** Total size of the regular files whose content changed (source sizes). */
  readonly changedBytes: number;
  /** The change set deletes something (the batch cannot carry deletions). */
  readonly hasDeletes: boolean;
}

export interface FanoutDecision {
  readonly batch: boolean;
  readonly reason: string;
}

/**
 * Use batch mode for this change set? Only remote targets count: a local target's read runs on
 * the hub too and rebuilds the file from its old copy with MD5 checks, where its plain rsync
 * just copies the whole file (rsync's default between local directories), so batching costs
 * the hub more there, not less. A remote target's read runs on the target and costs the hub
 * only an ssh connection and the batch bytes, where its plain rsync costs the hub a full read
 * and rolling checksum of every changed file.
 */
export function useBatchFanout(c: FanoutChangeSet): FanoutDecision {
  if (c.hasDeletes) return { batch: false, reason: 'the change set deletes files, which a batch cannot carry' };
  if (c.remoteTargets < MIN_REMOTE_TARGETS) return { batch: false, reason: `fewer than ${MIN_REMOTE_TARGETS} remote targets` };
  if (c.changedBytes < MIN_BATCH_BYTES) return { batch: false, reason: `less than ${MIN_BATCH_BYTES / 2 ** 20} MiB of changed content` };
  return { batch: true, reason: `${c.remoteTargets} remote targets share ${(c.changedBytes / 2 ** 20).toFixed(1)} MiB of changed content` };
}
