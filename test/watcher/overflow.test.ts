// A real kernel overflow (IN_Q_OVERFLOW), forced by pausing the reader thread (test-only hook)
// while more than fs.inotify.max_queued_events events happen: exactly one Overflow record for
// the root, then a re-walk leaves the watch table matching the disk (new directories watched,
// deleted ones gone), and later changes are reported normally. Also the user-space limit.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { tempDir } from '../helpers/temp_tree.js';
import { WatchRecorder } from '../helpers/watch_recorder.js';

function countDirs(root: string): number {
  return Number(execFileSync('sh', ['-c', 'find . -type d | wc -l'], { cwd: root, encoding: 'utf8' }).trim());
}

test('kernel overflow: one Overflow record, consistent watch table afterwards', async (t) => {
  const root = tempDir(t);
  for (let i = 0; i < 10; i++) mkdirSync(path.join(root, `old${i}/sub`), { recursive: true });
  const maxQueued = Number(readFileSync('/proc/sys/fs/inotify/max_queued_events', 'utf8'));
  const files = Math.ceil(maxQueued / 2) + 2000; // 2 events per file: past the kernel limit
  const rec = new WatchRecorder(t);
  await rec.add(root);
  assert.equal(rec.watcher.stats().watches, 21);

  rec.watcher.__pauseReader(true); // commands are ordered: the pause precedes the storm below
  const script = `
    const fs = require('fs'), p = require('path'), r = ${JSON.stringify(root)};
    for (let i = 0; i < ${files}; i++) fs.writeFileSync(p.join(r, 'f' + i), 'x');
    for (let i = 0; i < 5; i++) fs.rmSync(p.join(r, 'old' + i), { recursive: true });
    fs.mkdirSync(p.join(r, 'blind/a/b'), { recursive: true });
  `;
  assert.equal(spawnSync(process.execPath, ['-e', script], { stdio: 'inherit' }).status, 0);
  rec.clear();
  rec.watcher.__pauseReader(false);
  await rec.settle();

  const overflows = rec.records.filter((r) => r.kind === 'Overflow');
  assert.equal(overflows.length, 1, `expected one Overflow, got ${rec.lines().slice(0, 5)}`);
  assert.equal(rec.records[0]!.kind, 'Overflow', 'records lost before the overflow are superseded by it');
  assert.equal(rec.watcher.stats().overflows, 1);
  assert.equal(rec.watcher.stats().watches, countDirs(root), 'watch table matches the disk');

  rec.clear();
  writeFileSync(path.join(root, 'blind/a/b/after'), 'x');
  rmSync(path.join(root, 'old7'), { recursive: true });
  await rec.settle();
  assert.deepEqual(rec.lines(), ['Create blind/a/b/after', 'Delete old7/sub', 'Delete old7']);
  assert.equal(rec.watcher.stats().watches, countDirs(root));
});

test('user-space pending limit: one Overflow per root instead of unbounded memory', async (t) => {
  const root = tempDir(t);
  const rec = new WatchRecorder(t, { maxPending: 100 });
  await rec.add(root);
  for (let i = 0; i < 150; i++) writeFileSync(path.join(root, `f${i}`), 'x');
  await rec.settle();
  assert.equal(rec.records[0]!.kind, 'Overflow');
  assert.ok(rec.records.length < 100);
  assert.equal(rec.watcher.stats().overflows, 1);
});
