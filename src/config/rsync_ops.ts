// Legacy `rsyncOps` (lsyncd 2.0.x, e.g. rsyncOps="-rltvupgo") → rsync{} keys (seed config
// 7-multiple-servers.lua; docs/lsyncd-compat.md#legacy-keys-and-validation). lsyncd ≥ 2.2 rejects the key; we map it and
// the caller emits a deprecation warning naming the equivalent rsync{} table.
// Pure: returns the mapped keys, or an error message for a flag we cannot express.
import type { RsyncOptions } from './schema.js';

/** Short flag letter → rsync{} boolean key (the table of docs/lsyncd-compat.md#the-rsync-table, inverted), plus r/a. */
const SHORT: Record<string, keyof RsyncOptions> = {
  A: 'acls', b: 'backup', c: 'checksum', z: 'compress', k: 'copy_dirlinks', L: 'copy_links',
  C: 'cvs_exclude', n: 'dry_run', E: 'executability', g: 'group', H: 'hard_links', I: 'ignore_times',
  '4': 'ipv4', '6': 'ipv6', K: 'keep_dirlinks', l: 'links', x: 'one_file_system', O: 'omit_dir_times',
  J: 'omit_link_times', o: 'owner', p: 'perms', s: 'protect_args', m: 'prune_empty_dirs', q: 'quiet',
  S: 'sparse', t: 'times', u: 'update', v: 'verbose', W: 'whole_file', X: 'xattrs', r: 'recursive',
  a: 'archive',
};

/** Long boolean options. */
const LONG_BOOL: Record<string, keyof RsyncOptions> = {
  append: 'append', 'append-verify': 'append_verify', 'copy-unsafe-links': 'copy_unsafe_links',
  existing: 'existing', inplace: 'inplace', 'delete-excluded': 'delete_excluded', devices: 'devices',
  specials: 'specials', 'omit-dir-times': 'omit_dir_times', compress: 'compress', archive: 'archive',
  recursive: 'recursive', links: 'links', times: 'times', perms: 'perms', owner: 'owner', group: 'group',
  verbose: 'verbose', update: 'update', sparse: 'sparse', checksum: 'checksum', 'hard-links': 'hard_links',
  acls: 'acls', xattrs: 'xattrs', 'whole-file': 'whole_file', 'protect-args': 'protect_args',
};
/** Long options with a value. */
const LONG_VALUE: Record<string, keyof RsyncOptions> = {
  'backup-dir': 'backup_dir', bwlimit: 'bwlimit', chmod: 'chmod', chown: 'chown', groupmap: 'groupmap',
  'password-file': 'password_file', rsh: 'rsh', 'rsync-path': 'rsync_path', suffix: 'suffix',
  'temp-dir': 'temp_dir', timeout: 'timeout', usermap: 'usermap',
};

export type RsyncOpsResult = { ok: true; rsync: RsyncOptions; unmapped: string[] } | { ok: false; message: string };

/**
 * Map an option string or list. Unknown long options go to `_extra` verbatim (reported in
 * `unmapped`); an unknown short letter is an error because it cannot be placed safely.
 */
export function mapRsyncOps(ops: string | readonly string[]): RsyncOpsResult {
  const items = typeof ops === 'string' ? ops.trim().split(/\s+/).filter((s) => s !== '') : [...ops];
  const rsync: Record<string, unknown> = {};
  const extra: string[] = [];
  for (const item of items) {
    if (item.startsWith('--')) {
      const eq = item.indexOf('=');
      const name = eq < 0 ? item.slice(2) : item.slice(2, eq);
      const value = eq < 0 ? undefined : item.slice(eq + 1);
      if (value === undefined && LONG_BOOL[name] !== undefined) rsync[LONG_BOOL[name]] = true;
      else if (value !== undefined && LONG_VALUE[name] !== undefined) {
        const key = LONG_VALUE[name];
        rsync[key] = key === 'timeout' && /^\d+$/.test(value) ? Number(value) : value;
      } else extra.push(item);
    } else if (item.startsWith('-') && item.length > 1) {
      for (const ch of item.slice(1)) {
        if (ch === 'D') {
          rsync['devices'] = true;
          rsync['specials'] = true;
          continue;
        }
        const key = SHORT[ch];
        if (key === undefined) return { ok: false, message: `rsyncOps: unknown rsync short option "-${ch}" in "${item}"` };
        rsync[key] = true;
      }
    } else {
      return { ok: false, message: `rsyncOps: "${item}" is not an rsync option` };
    }
  }
  if (extra.length > 0) rsync['_extra'] = extra;
  return { ok: true, rsync: rsync as RsyncOptions, unmapped: extra };
}

/** Render rsync{} keys as a Lua table literal for the deprecation hint, e.g. `rsync = { links = true, ... }`. */
export function luaTableHint(rsync: RsyncOptions): string {
  const parts = Object.entries(rsync).map(([k, v]) =>
    Array.isArray(v) ? `${k} = { ${v.map((s) => JSON.stringify(s)).join(', ')} }` : `${k} = ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`,
  );
  return `rsync = { ${parts.join(', ')} }`;
}
