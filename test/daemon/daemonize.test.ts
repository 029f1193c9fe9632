// Daemon mode through the real binary: the launcher exits 0 only after the daemon reported a
// successful start-up (lsyncd exits 0 before checking anything, docs/lsyncd-compat.md#startup-order), the
// daemon runs detached in its own session with its own pid in the pidfile and mirrors; a start-up
// failure reaches the launcher as a non-zero exit with the daemon's error, and leaves nothing
// running. A relative target works (no chdir("/")).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { tempDir } from '../helpers/temp_tree.js';
import { alive, fileHas, killFromPidfileAfter, pidIn, runBinSync, waitFor } from './daemon_harness.js';

test('daemon mode: the launcher exits 0 after readiness; the detached daemon mirrors and stops on TERM', async (t) => {
  const root = tempDir(t);
  const src = path.join(root, 'src');
  mkdirSync(src);
  mkdirSync(path.join(root, 'dst'));
  writeFileSync(path.join(src, 'before'), 'init');
  const pidfile = path.join(root, 'pid');
  const logfile = path.join(root, 'log');
  killFromPidfileAfter(t, pidfile);
  // relative target, resolved against the launcher's working directory
  const r = runBinSync(['-delay', '0', '-pidfile', pidfile, '-logfile', logfile, '-rsync', src, 'dst'], {}, root);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /--- Startup, daemonizing ---/);
  const pid = pidIn(pidfile);
  assert.ok(pid !== undefined, 'the daemon wrote its pidfile before reporting ready');
  assert.match(r.stdout, new RegExp(`daemon started as pid ${pid}`));
  assert.ok(alive(pid));
  // its own session (setsid), not the launcher's
  const sid = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[3]);
  assert.equal(sid, pid);
  assert.equal(readlinkSync(`/proc/${pid}/cwd`), realpathSync(root), 'no chdir("/")');
  await waitFor(() => fileHas(path.join(root, 'dst', 'before'), 'init'), 'the init transfer');
  writeFileSync(path.join(src, 'live'), 'changed');
  await waitFor(() => fileHas(path.join(root, 'dst', 'live'), 'changed'), 'a live change mirrored by the daemon');
  process.kill(pid, 'SIGTERM');
  await waitFor(() => !alive(pid), 'the daemon to exit');
  assert.equal(existsSync(pidfile), false, 'pidfile removed');
  const log = readFileSync(logfile, 'utf8');
  assert.match(log, /Normal: recursive startup rsync: /);
  assert.match(log, /--- TERM signal, fading ---/);
});

test('daemon mode: a missing source makes the launcher exit 255 with the error; nothing keeps running', (t) => {
  const root = tempDir(t);
  const pidfile = path.join(root, 'pid');
  killFromPidfileAfter(t, pidfile);
  const r = runBinSync(['-pidfile', pidfile, '-rsync', path.join(root, 'nosrc'), path.join(root, 'dst')]);
  assert.equal(r.code, 255);
  assert.match(r.stderr.trim().split('\n').at(-1)!, /Error: sync\[1\]: Cannot access source directory: .*nosrc\/ .* — create it or fix "source"$/);
  assert.equal(existsSync(pidfile), false);
});

test('daemon mode: a second daemon on the same pidfile is refused by its launcher (255, names the pid)', async (t) => {
  const root = tempDir(t);
  const src = path.join(root, 'src');
  mkdirSync(src);
  const pidfile = path.join(root, 'pid');
  killFromPidfileAfter(t, pidfile);
  const first = runBinSync(['-pidfile', pidfile, '-rsync', src, path.join(root, 'dst')]);
  assert.equal(first.code, 0, first.stderr);
  const pid = pidIn(pidfile)!;
  const second = runBinSync(['-pidfile', pidfile, '-rsync', src, path.join(root, 'dst2')]);
  assert.equal(second.code, 255);
  assert.match(second.stderr, new RegExp(`already running as pid ${pid} \\(pidfile `));
  assert.equal(pidIn(pidfile), pid);
  process.kill(pid, 'SIGTERM');
  await waitFor(() => !alive(pid), 'the daemon to exit');
});
