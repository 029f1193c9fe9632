// Drift check of one sync's target against its source, changing nothing (`lsyncd-ts verify`,
// printed by src/cli/verify.ts; the daemon's periodic check, src/engine/periodic_verify.ts).
// fullTransferWith and rsyncRunProblem also serve the repair (repair_target.ts), so a check and
// a repair always run the same transfer.
//
// The check is the sync's own full-transfer command (rsync/full_argv.ts: the same filters and
// excludes, rsync{} flags, rsh/ssh options and target form as a startup transfer) turned into a
// dry run: `--dry-run` first, then `--checksum --itemize-changes --delete` before the paths, so
// content is compared byte for byte and extra target files are listed. `--delete` is only ever
// added next to `--dry-run` (verifyCommand refuses a command without it).
//  - rsync:    SOURCE/ TARGET (local path, host:path or rsync://, as configured);
//  - rsyncssh: SOURCE/ host:targetdir with the sync's ssh options (--rsh), as the transport
//              builds it, without the transport's shared ControlMaster (a one-shot connection);
//  - direct:   the local target, with the rsync table of direct's own full transfer
//              (direct/direct_transport.ts directFullRsync);
//  - custom:   not checked (what the actions do to a target is unknown): result `skipped`.
// The itemized lines are classified by rsync/itemize.ts; missing, changed and extra count as
// drift (attribute-only differences are counted apart). Extra files count only when the sync's
// full transfer deletes (`delete` true or "startup", delete_mode.ts deletesOnFull): with false or
// "running" the target may legitimately keep files the source never had, so they are listed but
// the target is still clean. rsync exit 0 or 24 (a source file vanished
// during the run) is a finished check; any other exit, a signal or a missing rsync is `error`
// with one line naming the cause (an unreachable target, rsync not installed, ...).
import type { DeleteMode, NormalizedSync } from '../config/schema.js';
import type { WireRule } from '../filters/rule_list.js';
import type { SyncPath } from '../paths/byte_path.js';
import type { Command } from '../process/command.js';
import { type RunResult, runCommand } from '../process/process_runner.js';
import { deletesOnFull } from './delete_mode.js';
import { directFullRsync } from './direct/index.js';
import { rsyncFailureLine } from './rsync/error_line.js';
import { rsyncFullCommand } from './rsync/full_argv.js';
import { type ItemKind, parseItemizeLine } from './rsync/itemize.js';
import { rshOption, rsyncsshDestination, withLinkBounds } from './rsyncssh/ssh_argv.js';
import { boundedRsync } from './rsync/daemon_target.js';

export interface VerifyRules {
  readonly rules: readonly WireRule[];
  readonly hasFilters: boolean;
}

export interface DriftKind {
  readonly count: number;
  /** The first `limit` paths, in rsync's order. */
  readonly paths: readonly SyncPath[];
}

export type VerifyResult =
  | { readonly kind: 'checked'; readonly target: string; readonly missing: DriftKind; readonly changed: DriftKind; readonly extra: DriftKind; readonly extraIsDrift: boolean; readonly attributesOnly: number }
  | { readonly kind: 'skipped'; readonly target: string; readonly reason: string }
  | { readonly kind: 'error'; readonly target: string; readonly reason: string };

export function isClean(r: VerifyResult): boolean {
  return r.kind === 'checked' && r.missing.count + r.changed.count + (r.extraIsDrift ? r.extra.count : 0) === 0;
}

/** The target as the transfer names it (rsyncssh: host:targetdir). */
export function verifyTargetName(sync: NormalizedSync): string {
  switch (sync.mode) {
    case 'rsyncssh':
      return rsyncsshDestination(sync.host, sync.targetdir);
    case 'rsync':
    case 'direct':
      return sync.target;
    default:
      return sync.target ?? '(custom actions)';
  }
}

const DRY_RUN_ARGS = ['--checksum', '--itemize-changes', '--delete'];

/**
 * The sync's own full-transfer rsync (see the header) with `del` as its delete mode and `extra`
 * options inserted before the trailing `-r SOURCE TARGET`; undefined for a custom-action sync.
 * The one builder behind verify's dry run and repair_target.ts's repair.
 */
export function fullTransferWith(sync: NormalizedSync, rules: VerifyRules, del: DeleteMode, extra: { readonly first: readonly string[]; readonly last: readonly string[] }): Command | undefined {
  if (sync.mode !== 'rsync' && sync.mode !== 'rsyncssh' && sync.mode !== 'direct') return undefined;
  const source = sync.source.endsWith('/') ? sync.source : `${sync.source}/`;
  const full = rsyncFullCommand({
    rsync: sync.mode === 'direct' ? directFullRsync(sync) : sync.mode === 'rsync' ? boundedRsync(sync.target, sync.rsync, sync.connectTimeout) : sync.rsync,
    delete: del,
    source,
    target: verifyTargetName(sync),
    hasFilters: rules.hasFilters,
    rules: rules.rules,
    ...(sync.mode === 'rsyncssh' ? { extraRsh: rshOption(withLinkBounds(sync.ssh, sync.connectTimeout)) } : {}),
  });
  // full_argv ends with `-r SOURCE TARGET`; the extra options go before the paths.
  const paths = full.args.slice(-3);
  if (paths[0] !== '-r') throw new Error('verify: unexpected full-transfer argv (no "-r SOURCE TARGET" at the end)');
  return { ...full, args: [...extra.first, ...full.args.slice(0, -3), ...extra.last, ...paths] };
}

/** The dry-run command for a sync, or undefined for a custom-action sync. */
export function verifyCommand(sync: NormalizedSync, rules: VerifyRules): Command | undefined {
  return fullTransferWith(sync, rules, false, { first: ['--dry-run'], last: DRY_RUN_ARGS });
}

/**
 * Why a finished rsync run (verify's or a repair's) did not complete, in one line; undefined for
 * exit 0 or 24 (a source file vanished during the run).
 */
export function rsyncRunProblem(cmd: Command, r: RunResult): string | undefined {
  if (r.spawnError !== undefined) {
    return r.spawnError.code === 'ENOENT' ? `rsync not found (${cmd.binary}): install rsync or set rsync.binary` : `cannot start ${cmd.binary}: ${r.spawnError.code ?? r.spawnError.message}`;
  }
  if (r.code === 0 || r.code === 24) return undefined;
  const line = rsyncFailureLine(r.stderrTail);
  const how = r.code === null ? `rsync killed by ${r.signal ?? 'a signal'}` : `rsync exited with code ${r.code}`;
  return `${how}${line === undefined ? '' : `: ${line}`}`;
}

export interface VerifyOptions {
  /** Paths kept per kind (the counts are always complete). */
  readonly limit: number;
  readonly signal?: AbortSignal;
}

export async function verifySync(sync: NormalizedSync, rules: VerifyRules, opts: VerifyOptions): Promise<VerifyResult> {
  const target = verifyTargetName(sync);
  const cmd = verifyCommand(sync, rules);
  if (cmd === undefined) return { kind: 'skipped', target, reason: 'custom actions: no rsync transfer to compare with' };
  if (cmd.args[0] !== '--dry-run') throw new Error('verify: refusing to run rsync without --dry-run');
  const found: Record<Exclude<ItemKind, 'attributes'>, { count: number; paths: SyncPath[] }> = {
    missing: { count: 0, paths: [] },
    changed: { count: 0, paths: [] },
    extra: { count: 0, paths: [] },
  };
  let attributesOnly = 0;
  const r = await runCommand(cmd, {
    ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
    onLine: (stream, line) => {
      if (stream !== 'stdout') return;
      const entry = parseItemizeLine(line);
      if (entry === undefined) return;
      if (entry.kind === 'attributes') {
        attributesOnly++;
        return;
      }
      const k = found[entry.kind];
      k.count++;
      if (k.paths.length < opts.limit) k.paths.push(entry.path);
    },
  });
  const problem = rsyncRunProblem(cmd, r);
  if (problem !== undefined) return { kind: 'error', target, reason: problem };
  return { kind: 'checked', target, missing: found.missing, changed: found.changed, extra: found.extra, extraIsDrift: deletesOnFull(sync.delete), attributesOnly };
}
