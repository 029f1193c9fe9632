/**
 * rsync{} table → rsync option arguments (docs/lsyncd-compat.md#the-rsync-table, default-rsync.lua
 * `rsync.prepare`).
 *
 * - `archive = true` fills every UNSET key among recursive/links/perms/times/group/owner/devices/
 *   specials (true) and hard_links/acls/xattrs (false); explicit values win.
 * - Short flags are concatenated into ONE argument in this FIXED order (lsyncd's order follows Lua
 *   hash iteration and changes between runs, e.g. `-tlspgoD` vs `-gztosplD`; rsync does not care,
 *   but logs and tests do):
 *     A b c z k L C n E g H I 4 6 K l x O J o p s m q S t u v W X D
 *   i.e. the docs/lsyncd-compat.md#the-rsync-table table in key order: acls backup checksum compress copy_dirlinks copy_links
 *   cvs_exclude dry_run executability group hard_links ignore_times ipv4 ipv6 keep_dirlinks links
 *   one_file_system omit_dir_times omit_link_times owner perms protect_args prune_empty_dirs quiet
 *   sparse times update verbose whole_file xattrs, then `D` when devices AND specials are set.
 *   No argument at all when no short flag is set (never a bare "-").
 * - Long options follow in lsyncd's fixed order: `_extra` items verbatim, `--devices`/`--specials`
 *   (only when exactly one of the two is set), --append, --append-verify, --backup-dir=,
 *   --bwlimit=, --chmod=, --chown=, --copy-unsafe-links, --groupmap=, --existing, --inplace,
 *   --password-file=, --rsh=, --rsync-path=, --suffix=, --temp-dir=, --timeout=, --usermap=.
 * - `recursive` has no flag here: the batch and full builders always pass `-r` themselves, as
 *   lsyncd does. `delete_excluded` only affects full transfers (full_argv.ts). Defaults
 *   (links/times/protect_args) are applied by src/config/normalize.ts, not here.
 * - `extraRsh`: the `--rsh=ssh …` generated for rsyncssh (ssh_argv.ts) goes after any user
 *   `rsh`, like lsyncd's `_computed`.
 */
import type { ResolvedRsyncOptions, RsyncOptions } from '../../config/schema.js';

export const DEFAULT_RSYNC_BINARY = 'rsync';

type BoolKey =
  | 'acls' | 'backup' | 'checksum' | 'compress' | 'copy_dirlinks' | 'copy_links' | 'cvs_exclude'
  | 'dry_run' | 'executability' | 'group' | 'hard_links' | 'ignore_times' | 'ipv4' | 'ipv6'
  | 'keep_dirlinks' | 'links' | 'one_file_system' | 'omit_dir_times' | 'omit_link_times' | 'owner'
  | 'perms' | 'protect_args' | 'prune_empty_dirs' | 'quiet' | 'sparse' | 'times' | 'update'
  | 'verbose' | 'whole_file' | 'xattrs';

/** The fixed short-flag order (documented above). */
export const SHORT_FLAGS: readonly (readonly [BoolKey, string])[] = [
  ['acls', 'A'], ['backup', 'b'], ['checksum', 'c'], ['compress', 'z'], ['copy_dirlinks', 'k'],
  ['copy_links', 'L'], ['cvs_exclude', 'C'], ['dry_run', 'n'], ['executability', 'E'], ['group', 'g'],
  ['hard_links', 'H'], ['ignore_times', 'I'], ['ipv4', '4'], ['ipv6', '6'], ['keep_dirlinks', 'K'],
  ['links', 'l'], ['one_file_system', 'x'], ['omit_dir_times', 'O'], ['omit_link_times', 'J'],
  ['owner', 'o'], ['perms', 'p'], ['protect_args', 's'], ['prune_empty_dirs', 'm'], ['quiet', 'q'],
  ['sparse', 'S'], ['times', 't'], ['update', 'u'], ['verbose', 'v'], ['whole_file', 'W'], ['xattrs', 'X'],
];

const ARCHIVE_TRUE = ['recursive', 'links', 'perms', 'times', 'group', 'owner', 'devices', 'specials'] as const;
const ARCHIVE_FALSE = ['hard_links', 'acls', 'xattrs'] as const;

/** Input: the raw rsync{} table or the normalised one. */
export type RsyncTable = Readonly<RsyncOptions> | Readonly<ResolvedRsyncOptions>;

/** Applies `archive` to unset keys (idempotent; a table without `archive` is returned as is). */
export function expandArchive(t: RsyncTable): Readonly<RsyncOptions> {
  const out: Record<string, unknown> = { ...t };
  if ('archive' in t && t.archive === true) {
    for (const k of ARCHIVE_TRUE) if (out[k] === undefined) out[k] = true;
    for (const k of ARCHIVE_FALSE) if (out[k] === undefined) out[k] = false;
  }
  delete out['archive'];
  return out as RsyncOptions;
}

/** The executable: `binary` or "rsync" via PATH (lsyncd 2.3). */
export function rsyncBinary(t: RsyncTable): string {
  return t.binary ?? DEFAULT_RSYNC_BINARY;
}

/** Option arguments for the table (see header for order). */
export function rsyncFlags(table: RsyncTable, extraRsh?: string): string[] {
  const t = expandArchive(table);
  let short = '';
  for (const [key, letter] of SHORT_FLAGS) if (t[key] === true) short += letter;
  if (t.devices === true && t.specials === true) short += 'D';
  const args: string[] = short === '' ? [] : [`-${short}`];
  args.push(...(t._extra ?? []));
  if (t.devices === true && t.specials !== true) args.push('--devices');
  if (t.specials === true && t.devices !== true) args.push('--specials');
  if (t.append === true) args.push('--append');
  if (t.append_verify === true) args.push('--append-verify');
  const value = (name: string, v: string | number | undefined): void => {
    if (v !== undefined) args.push(`--${name}=${v}`);
  };
  value('backup-dir', t.backup_dir);
  value('bwlimit', t.bwlimit);
  value('chmod', t.chmod);
  value('chown', t.chown);
  if (t.copy_unsafe_links === true) args.push('--copy-unsafe-links');
  value('groupmap', t.groupmap);
  if (t.existing === true) args.push('--existing');
  if (t.inplace === true) args.push('--inplace');
  value('password-file', t.password_file);
  value('rsh', t.rsh);
  if (extraRsh !== undefined) args.push(extraRsh);
  value('rsync-path', t.rsync_path);
  value('suffix', t.suffix);
  value('temp-dir', t.temp_dir);
  value('timeout', t.timeout);
  value('usermap', t.usermap);
  return args;
}
