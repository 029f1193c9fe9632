// Errors name the fix. ENOSPC from inotify_add_watch (the per-user watch limit) is reported as
// such — naming fs.inotify.max_user_watches and `lsyncd-ts sysctl` — not "No space left on
// device"; the rest of the tree keeps being watched.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import path from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';

import { tempDir } from '../helpers/temp_tree.js';
import { WatchRecorder } from '../helpers/watch_recorder.js';

const ENOSPC = constants.errno.ENOSPC;

test('ENOSPC for a new directory becomes an Error record with a helpful message', async (t) => {
  const root = tempDir(t);
  const rec = new WatchRecorder(t);
  await rec.add(root);
  rec.watcher.__failAddWatchAfter(0, ENOSPC);
  mkdirSync(path.join(root, 'newdir'));
  await rec.settle();
  assert.deepEqual(rec.lines(), ['Create newdir', 'Error newdir']);
  const err = rec.records[1]!;
  assert.equal(err.errno, ENOSPC);
  const { watchErrorMessage } = await import('../../src/watcher/index.js');
  const msg = watchErrorMessage(err.errno, 'newdir');
  assert.match(msg, /fs\.inotify\.max_user_watches = \d+/);
  assert.match(msg, /lsyncd-ts sysctl --apply/);
  assert.doesNotMatch(msg, /No space left/);
});

test('add() reports directories it could not watch and keeps the rest', async (t) => {
  const root = tempDir(t);
  for (let i = 0; i < 5; i++) mkdirSync(path.join(root, `d${i}`));
  const rec = new WatchRecorder(t);
  rec.watcher.__failAddWatchAfter(3, ENOSPC);
  const res = await rec.add(root);
  assert.equal(res.dirs, 3);
  assert.equal(res.errors.length, 3);
  assert.ok(res.errors.every((e) => e.errno === ENOSPC && /max_user_watches/.test(e.message)));
});

// The real kernel limit, as an unprivileged user with fs.inotify.max_user_watches lowered for a
// moment. The child loads the modules as root (the checkout may be unreadable to others), then
// drops to nobody before creating its inotify instance, which is what the kernel charges watches
// to. Needs root to change the sysctl and to switch user; skipped (with the reason) otherwise.
test('real ENOSPC from the kernel watch limit', { skip: process.getuid?.() !== 0 && 'needs root' }, async (t) => {
  const sysctl = '/proc/sys/fs/inotify/max_user_watches';
  const saved = readFileSync(sysctl, 'utf8');
  const root = tempDir(t);
  chmodSync(root, 0o755);
  for (let i = 0; i < 8; i++) mkdirSync(path.join(root, `d${i}`));
  const here = path.dirname(fileURLToPath(import.meta.url));
  const watcherModule = path.resolve(here, '../../src/watcher/index.js');
  const bindingModule = path.resolve(here, '../../src/native/native_binding.js');
  const script = `
    Promise.all([import(${JSON.stringify(watcherModule)}), import(${JSON.stringify(bindingModule)})]).then(async ([{ Watcher }, { loadNative }]) => {
      loadNative();
      process.setgid(65534);
      process.setuid(65534);
      const w = new Watcher({}, () => {});
      const res = await w.add(${JSON.stringify(root)});
      console.log(JSON.stringify({ dirs: res.dirs, errors: res.errors.map((e) => e.message) }));
      w.close();
    }).catch((e) => { console.log(JSON.stringify({ fatal: String(e.message) })); });
  `;
  writeFileSync(sysctl, '3');
  let out;
  try {
    out = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  } finally {
    writeFileSync(sysctl, saved);
  }
  assert.equal(out.status, 0, out.stderr);
  const r = JSON.parse(out.stdout) as { dirs: number; errors: string[]; fatal?: string };
  assert.equal(r.fatal, undefined);
  assert.equal(r.dirs, 3);
  assert.equal(r.errors.length, 6);
  assert.match(r.errors[0]!, /inotify watch limit reached \(fs\.inotify\.max_user_watches = 3\)/);
});
