// applySysctl against a temp root (never the real /etc or /proc), the root-only rule, and the
// /proc scan of inotify use by other processes against a fake /proc.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { applySysctl } from '../../src/sysctl/apply.js';
import { readInotifyLimits } from '../../src/sysctl/inotify_limits.js';
import { readInotifyUsage } from '../../src/sysctl/inotify_usage.js';
import { systemRoot } from '../../src/sysctl/proc_root.js';
import { tempDir } from '../helpers/temp_tree.js';

function fakeProcSys(root: string): void {
  const d = path.join(root, 'proc/sys/fs/inotify');
  mkdirSync(d, { recursive: true });
  writeFileSync(path.join(d, 'max_user_watches'), '8192\n');
  writeFileSync(path.join(d, 'max_user_instances'), '128\n');
  writeFileSync(path.join(d, 'max_queued_events'), '16384\n');
}

test('apply writes the conf file and the /proc values under the override root', (t) => {
  const dir = tempDir(t);
  fakeProcSys(dir);
  const root = systemRoot({ LSYNCD_TS_SYSCTL_ROOT: dir });
  assert.deepEqual(readInotifyLimits(root), { max_user_watches: 8192, max_user_instances: 128, max_queued_events: 16384 });
  const res = applySysctl([{ name: 'max_user_watches', value: 262144 }], 'fs.inotify.max_user_watches = 262144\n', { root, uid: 1000 });
  assert.deepEqual(res, { ok: true, confPath: path.join(dir, 'etc/sysctl.d/90-lsyncd-ts.conf'), applied: ['fs.inotify.max_user_watches = 262144'] });
  assert.equal(readFileSync(path.join(dir, 'etc/sysctl.d/90-lsyncd-ts.conf'), 'utf8'), 'fs.inotify.max_user_watches = 262144\n');
  assert.equal(readInotifyLimits(root).max_user_watches, 262144);
});

test('apply refuses a non-root caller on the real system before writing anything', () => {
  const res = applySysctl([{ name: 'max_user_watches', value: 1 }], 'x', { root: systemRoot({}), uid: 1000 });
  assert.equal(res.ok, false);
  assert.match(!res.ok ? res.message : '', /^sysctl --apply must run as root .* — rerun it with sudo/);
});

test('apply reports a /proc value it cannot set, naming the key', (t) => {
  const dir = tempDir(t);
  // no proc/sys tree: the conf is written, the /proc write fails
  const res = applySysctl([{ name: 'max_queued_events', value: 65536 }], 'q\n', { root: systemRoot({ LSYNCD_TS_SYSCTL_ROOT: dir }), uid: 0 });
  assert.equal(res.ok, false);
  assert.match(!res.ok ? res.message : '', /^wrote .*90-lsyncd-ts\.conf but cannot set fs\.inotify\.max_queued_events=65536: ENOENT/);
});

test('inotify usage: counts watches of our uid\'s processes, skips ourselves and lsyncd-ts daemons', (t) => {
  const dir = tempDir(t);
  const proc = path.join(dir, 'proc');
  const mk = (pid: number, cmd: string, fds: Record<string, { link: string; wds?: number }>): void => {
    const p = path.join(proc, String(pid));
    mkdirSync(path.join(p, 'fd'), { recursive: true });
    mkdirSync(path.join(p, 'fdinfo'), { recursive: true });
    writeFileSync(path.join(p, 'cmdline'), cmd.replace(/ /g, '\0'));
    for (const [fd, v] of Object.entries(fds)) {
      symlinkSync(v.link, path.join(p, 'fd', fd));
      writeFileSync(path.join(p, 'fdinfo', fd), `pos:\t0\nflags:\t02004000\n${'inotify wd:1 ino:2 sdev:3 mask:fce ignored_mask:0\n'.repeat(v.wds ?? 0)}`);
    }
  };
  mk(100, 'code --watch', { '3': { link: 'anon_inode:inotify', wds: 5 }, '4': { link: '/dev/null' }, '7': { link: 'anon_inode:inotify', wds: 2 } });
  mk(200, 'node /usr/bin/lsyncd-ts run /etc/x.json', { '3': { link: 'anon_inode:inotify', wds: 1000 } });
  mk(300, 'self', { '3': { link: 'anon_inode:inotify', wds: 50 } });
  mkdirSync(path.join(proc, 'sys'));
  const uid = process.getuid?.() ?? 0;
  const u = readInotifyUsage(systemRoot({ LSYNCD_TS_SYSCTL_ROOT: dir }), { uid, selfPid: 300 });
  assert.deepEqual(u, { watches: 7, instances: 2, complete: true });
  assert.deepEqual(readInotifyUsage(systemRoot({ LSYNCD_TS_SYSCTL_ROOT: dir }), { uid: uid + 1, selfPid: 300 }), { watches: 0, instances: 0, complete: true });
});
