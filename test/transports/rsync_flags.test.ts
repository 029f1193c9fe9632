import test from 'node:test';
import assert from 'node:assert/strict';
import type { RsyncOptions } from '../../src/config/schema.js';
import { expandArchive, rsyncBinary, rsyncFlags } from '../../src/transports/rsync/index.js';

const CASES: [string, RsyncOptions, string[]][] = [
  ['lsyncd defaults (links, times, protect_args)', { links: true, times: true, protect_args: true }, ['-lst']],
  ['nothing set: no bare "-"', {}, []],
  ['archive fills unset keys; D for devices+specials', { archive: true }, ['-glopt' + 'D']],
  ['archive does not override explicit values', { archive: true, owner: false, hard_links: true }, ['-gHlptD']],
  [
    'every short flag, fixed order',
    {
      acls: true, backup: true, checksum: true, compress: true, copy_dirlinks: true, copy_links: true,
      cvs_exclude: true, dry_run: true, executability: true, group: true, hard_links: true,
      ignore_times: true, ipv4: true, ipv6: true, keep_dirlinks: true, links: true, one_file_system: true,
      omit_dir_times: true, omit_link_times: true, owner: true, perms: true, protect_args: true,
      prune_empty_dirs: true, quiet: true, sparse: true, times: true, update: true, verbose: true,
      whole_file: true, xattrs: true, devices: true, specials: true,
    },
    ['-AbczkLCnEgHI46KlxOJopsmqStuvWXD'],
  ],
  ['false values emit nothing', { links: false, times: true }, ['-t']],
  ['devices alone is a long option', { devices: true }, ['--devices']],
  ['specials alone is a long option', { specials: true, times: true }, ['-t', '--specials']],
  [
    'long options in lsyncd order, _extra first and verbatim',
    {
      times: true, usermap: 'c:d', timeout: 30, temp_dir: '/srv/rsync-tmp', suffix: '~', rsync_path: '/usr/bin/rsync',
      rsh: 'ssh -p 22', password_file: '/etc/rsync.pw', inplace: true, existing: true, groupmap: 'a:b',
      copy_unsafe_links: true, chown: 'root:root', chmod: 'D755,F644', bwlimit: 1000, backup_dir: '/srv/bk',
      append_verify: true, append: true, _extra: ['--omit-dir-times', '--info=progress2 x'],
    },
    [
      '-t', '--omit-dir-times', '--info=progress2 x', '--append', '--append-verify', '--backup-dir=/srv/bk',
      '--bwlimit=1000', '--chmod=D755,F644', '--chown=root:root', '--copy-unsafe-links', '--groupmap=a:b',
      '--existing', '--inplace', '--password-file=/etc/rsync.pw', '--rsh=ssh -p 22', '--rsync-path=/usr/bin/rsync',
      '--suffix=~', '--temp-dir=/srv/rsync-tmp', '--timeout=30', '--usermap=c:d',
    ],
  ],
  ['recursive and delete_excluded have no flag here', { recursive: true, delete_excluded: true }, []],
];

for (const [name, table, want] of CASES) {
  test(`rsyncFlags: ${name}`, () => assert.deepEqual(rsyncFlags(table), want));
}

test('rsyncFlags: generated --rsh goes after the user rsh and before --rsync-path', () => {
  assert.deepEqual(rsyncFlags({ rsh: 'myssh', rsync_path: 'rs' }, '--rsh=ssh -p 2222'), [
    '--rsh=myssh',
    '--rsh=ssh -p 2222',
    '--rsync-path=rs',
  ]);
});

test('expandArchive is idempotent and drops archive', () => {
  const once = expandArchive({ archive: true });
  assert.equal('archive' in once, false);
  assert.deepEqual(expandArchive(once), once);
  assert.equal(once.acls, false);
  assert.equal(once.recursive, true);
});

test('rsyncBinary: explicit or "rsync" via PATH', () => {
  assert.equal(rsyncBinary({}), 'rsync');
  assert.equal(rsyncBinary({ binary: '/usr/bin/rsync' }), '/usr/bin/rsync');
});
