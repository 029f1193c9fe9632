/**
 * Event-batch rsync command (docs/lsyncd-compat.md#rsync-command-lines):
 *
 *   rsync <flags> -r [COMPARE] [--delete --ignore-errors] --force --from0 --include-from=- --exclude=* SRC/ TGT/
 *
 * with the include list (include_list.ts) on stdin; no stdin pipe when the list is empty.
 * `--delete --ignore-errors` only when delete is true or 'running' (delete_mode.ts).
 *
 * `COMPARE` (not in lsyncd) when the batch carries content changes (hasContentChanges in
 * include_list.ts): `--modify-window=-1`, or `--checksum` with `update` or an old receiver —
 * content_compare.ts says which and why. Batches of only Attrib/Delete/directory events keep the
 * quick check (a chmod of a large file reads nothing).
 *
 * `excludes`: when the batch includes whole subtrees (`***`), rsync would copy excluded files
 * inside them (lsyncd never hits this because its watcher re-reports moved-in content file by
 * file, filtered). If the sync's rule list has only exclude rules, each is passed as a
 * perishable exclude `--filter=-p PATTERN` before the include list: it keeps excluded names out
 * of the subtree, and "perishable" means it is ignored inside directories being deleted, so a
 * deleted directory still goes away completely. With `+` filter rules and a moved-in directory
 * the batch gets the scoped list of scoped_include_list.ts instead (the sync's rules inside the
 * moved tree, as `--filter=` options after the list; its own `- X*` excludes instead of
 * `--exclude=*`).
 */
import type { DeleteMode } from '../../config/schema.js';
import type { WireRule } from '../../filters/rule_list.js';
import type { Command } from '../../process/command.js';
import { deletesWhileRunning } from '../delete_mode.js';
import { contentCompareArg } from './content_compare.js';
import { type RsyncTable, rsyncBinary, rsyncFlags } from './flags.js';
import { type IncludeEntry, includeListBytes } from './include_list.js';
import { needsScopedList, scopedIncludeListBytes, scopedRuleArgs } from './scoped_include_list.js';

export interface BatchCommandInput {
  readonly rsync: RsyncTable;
  readonly delete: DeleteMode;
  /** Source directory with trailing "/". */
  readonly source: string;
  /** Target: local dir, `host:path` or `rsync://…`, with trailing "/" (or ":"). */
  readonly target: string;
  readonly entries: readonly IncludeEntry[];
  /** The sync's compiled rules (filters first, then excludes), see header. */
  readonly rules?: readonly WireRule[];
  /** Generated `--rsh=ssh …` for rsyncssh (ssh_argv.ts). */
  readonly extraRsh?: string;
  /** The batch carries content changes: the content comparison of content_compare.ts. */
  readonly contentChanged?: boolean;
  /** The receiver turned `--modify-window=-1` down earlier (content_compare.ts). */
  readonly receiverLacksWindow?: boolean;
}

export function rsyncBatchCommand(input: BatchCommandInput): Command {
  const args = [...rsyncFlags(input.rsync, input.extraRsh), '-r'];
  const compare = input.contentChanged === true ? contentCompareArg(input.rsync, input.receiverLacksWindow === true) : undefined;
  if (compare !== undefined) args.push(compare);
  if (deletesWhileRunning(input.delete)) args.push('--delete', '--ignore-errors');
  args.push('--force', '--from0');
  const rules = input.rules ?? [];
  if (needsScopedList(input.entries, rules)) {
    args.push('--include-from=-', ...scopedRuleArgs(rules), input.source, input.target);
    return { binary: rsyncBinary(input.rsync), args, stdin: scopedIncludeListBytes(input.entries) };
  }
  if (input.entries.some((e) => e.subtree) && rules.length > 0 && rules.every((r) => !r.include)) {
    for (const r of rules) args.push(`--filter=-p ${r.pattern}`);
  }
  args.push('--include-from=-', '--exclude=*', input.source, input.target);
  const list = includeListBytes(input.entries);
  return { binary: rsyncBinary(input.rsync), args, stdin: list.length > 0 ? list : undefined };
}
