// rsync mode's three kinds of target (local, host:path and rsync:// targets) through
// real inotify, the real engine and real servers the tests start: a `host:path` target over the
// loopback sshd (ssh chosen with rsync{ rsh }), and an `rsync://` target on a real rsync daemon.
// Init transfer, then a new file, a rewrite, a new directory and deletions, compared byte for
// byte. (Local targets are everywhere else in test/engine.)
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

test('host:path target whose rsync is older than 3.1.3 (it turns --modify-window=-1 down): retried with --checksum, then mirrors', { timeout: 60_000 }, async (t) => {
  const sshd = await startSshd(t);
  const dst = tempDir(t);
  const bin = tempDir(t);
  // Stands in for an old receiving rsync: refuses the nanosecond window the way rsync < 3.1.3
  // refuses an unknown option, and records every command line it ran with.
  const oldRsync = path.join(bin, 'old-rsync');
  const calls = path.join(bin, 'calls');
  writeFileSync(oldRsync, [
    '#!/bin/sh',
    `echo "$*" >> '${calls}'`,
    'for a in "$@"; do case "$a" in -@*|--modify-window*)',
    '  echo "rsync: $a: unknown option" >&2',
    '  echo "rsync error: syntax or usage error (code 1) at main.c(1554) [server=3.1.2]" >&2',
    '  exit 1;; esac; done',
    'exec rsync "$@"',
    '',
  ].join('\n'), { mode: 0o755 });
  // protect_args off: the server's options travel in its argv, where the stand-in can see them.
  const src = tempDir(t);
  writeFileSync(path.join(src, 'before'), 'x');
  const rsync = { archive: true, protect_args: false, rsync_path: oldRsync, rsh: ['ssh', ...sshd.sshArgv].join(' ') };
  const { engine, log } = await startEngine(t, { sync: [{ mode: 'rsync', source: src, target: `${sshd.user}@${sshd.host}:${dst}`, delay: 0, rsync }] });
  await engine.whenIdle();
  writeFileSync(path.join(src, 'new'), 'live');
  await engine.whenIdle();
  writeFileSync(path.join(src, 'later'), 'after the fallback');
  await engine.whenIdle();
  assert.deepEqual(compareTrees(src, dst), []);
  assert.equal(log.lines.filter((l) => l.includes('older than 3.1.3')).length, 1, log.lines.join('\n'));
  const lines = readFileSync(calls, 'utf8').trim().split('\n');
  assert.equal(lines.filter((l) => /(^| )-@-1( |$)/.test(l)).length, 1, 'one batch with the window, turned down');
  assert.ok(lines.filter((l) => /(^| )-[a-zA-Z]*c[a-zA-Z.]*( |$)/.test(l)).length >= 2, `later batches by checksum:\n${lines.join('\n')}`);
});
