/**
 * Init / full-transfer rsync command (docs/lsyncd-compat.md#init-and-full-transfers, default-rsync.lua `rsync.full`):
 *
 * | rules                | argv                                                            | stdin |
 * |----------------------|-----------------------------------------------------------------|-------|
 * | none                 | [delete] [--delete-excluded] <flags> -r SRC/ TGT/               | none  |
 * | excludes only        | --from0 --exclude-from=- [delete] [...] <flags> -r SRC/ TGT/    | excludes |
 * | any `+`/`-` filter   | --from0 --filter=. - [delete] [...] <flags> -r SRC/ TGT/        | "+ p"/"- p" rules |
 *
 * [delete] = `--delete --ignore-errors` when delete is true or 'startup'; `--delete-excluded`
 * when rsync.delete_excluded (lsyncd 2.3, full transfers only).
 * Deviation from lsyncd: the stdin list is NUL-separated with `--from0` instead of "\n"-joined,
 * so a pattern containing a newline cannot split into two rules.
 * The rule list is the one the event side uses (src/filters/rule_list.ts `rules`): filters in
 * order, then excludes as `-` rules, so events and full runs agree. An exclude list whose
 * patterns are all plain excludes uses --exclude-from like lsyncd.
 */
import type { DeleteMode } from '../../config/schema.js';
import type { WireRule } from '../../filters/rule_list.js';
import type { Command } from '../../process/command.js';
import { deletesOnFull } from '../delete_mode.js';
import { type RsyncTable, expandArchive, rsyncBinary, rsyncFlags } from './flags.js';

export interface FullCommandInput {
  readonly rsync: RsyncTable;
  readonly delete: DeleteMode;
  readonly source: string;
  readonly target: string;
  /** Whether the user configured `filter`/`filterFrom` (selects the filter form even if all rules are '-'). */
  readonly hasFilters: boolean;
  readonly rules: readonly WireRule[];
  readonly extraRsh?: string;
}

export function rsyncFullCommand(input: FullCommandInput): Command {
  const args: string[] = [];
  let stdin: Buffer | undefined;
  if (input.rules.length > 0) {
    const useFilter = input.hasFilters || input.rules.some((r) => r.include);
    const lines = input.rules.map((r) => (useFilter ? `${r.include ? '+' : '-'} ${r.pattern}` : r.pattern));
    args.push('--from0', useFilter ? '--filter=. -' : '--exclude-from=-');
    stdin = Buffer.from(lines.join('\0'), 'utf8');
  }
  if (deletesOnFull(input.delete)) args.push('--delete', '--ignore-errors');
  if (expandArchive(input.rsync).delete_excluded === true) args.push('--delete-excluded');
  args.push(...rsyncFlags(input.rsync, input.extraRsh), '-r', input.source, input.target);
  return { binary: rsyncBinary(input.rsync), args, stdin };
}
