// rsync mode's three kinds of target (local, host:path and rsync:// targets) through
// real inotify, the real engine and real servers the tests start: a `host:path` target over the
// loopback sshd (ssh chosen with rsync{ rsh }), and an `rsync://` target on a real rsync daemon.
// Init transfer, then a new file, a rewrite, a new directory and deletions, compared byte for
// byte. (Local targets are everywhere else in test/engine.)
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test, { type TestContext } from 'node:test';

import { compareTrees } from '../helpers/compare_trees.js';
import { startEngine } from '../helpers/engine_harness.js';
import { startRsyncd } from '../helpers/rsyncd.js';
import { startSshd } from '../helpers/sshd.js';
import { tempDir } from '../helpers/temp_tree.js';

async function mirrorsThrough(t: TestContext, target: string, dst: string, rsync: Record<string, unknown>): Promise<void> {
  const src = tempDir(t);
  mkdirSync(path.join(src, 'old/deep'), { recursive: true });
  writeFileSync(path.join(src, 'old/deep/f'), 'before start');
  writeFileSync(path.join(src, 'sp ace'), 'x');
  const { engine } = await startEngine(t, { sync: [{ mode: 'rsync', source: src, target, delay: 0, rsync: { archive: true, ...rsync } }] });
  await engine.whenIdle();
  assert.deepEqual(compareTrees(src, dst), [], 'after the init transfer');
  mkdirSync(path.join(src, 'new/dir'), { recursive: true });
  writeFileSync(path.join(src, 'new/dir/g'), 'live');
  writeFileSync(path.join(src, 'sp ace'), 'rewritten');
  rmSync(path.join(src, 'old'), { recursive: true });
  await engine.whenIdle();
  assert.deepEqual(compareTrees(src, dst), [], 'after live changes');
  assert.equal(engine.status()[0]!.state, 'running');
}

test('host:path target: rsync over ssh to the loopback sshd', async (t) => {
  const sshd = await startSshd(t);
  const dst = tempDir(t);
  await mirrorsThrough(t, `${sshd.user}@${sshd.host}:${dst}`, dst, { rsh: ['ssh', ...sshd.sshArgv].join(' ') });
  assert.ok(sshd.countLog(/Accepted publickey/) >= 2, 'the transfers went through sshd');
});

test('rsync:// target: a real rsync daemon module', async (t) => {
  const rsyncd = await startRsyncd(t);
  await mirrorsThrough(t, `${rsyncd.url}/`, rsyncd.dir, {});
});
