// Symlinks are reported as entries, never followed: a link to a directory (inside or outside
// the tree, or a loop) adds no watch and its target's changes are not reported through it.
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { tempDir } from '../helpers/temp_tree.js';
import { WatchRecorder } from '../helpers/watch_recorder.js';

test('a symlink to a directory is not followed', async (t) => {
  const root = tempDir(t);
  const outside = tempDir(t);
  mkdirSync(path.join(outside, 'target/deep'), { recursive: true });
  symlinkSync(path.join(outside, 'target'), path.join(root, 'pre-existing-link'));
  symlinkSync('.', path.join(root, 'loop'));
  const rec = new WatchRecorder(t);
  const res = await rec.add(root);
  assert.equal(res.dirs, 1, 'only the root: links at add() time are not followed');

  symlinkSync(path.join(outside, 'target'), path.join(root, 'link'));
  await rec.settle();
  assert.deepEqual(rec.lines(), ['Create link']);
  assert.equal(rec.records[0]!.isDir, false);
  assert.equal(rec.watcher.stats().watches, 1);

  rec.clear();
  writeFileSync(path.join(outside, 'target/deep/f'), 'x');
  await rec.settle();
  assert.deepEqual(rec.lines(), []);
});

test('a new directory containing symlinks is scanned without following them', async (t) => {
  const root = tempDir(t);
  const outside = tempDir(t);
  mkdirSync(path.join(outside, 'big/a/b'), { recursive: true });
  mkdirSync(path.join(outside, 'newdir'));
  symlinkSync(path.join(outside, 'big'), path.join(outside, 'newdir/l'));
  const rec = new WatchRecorder(t);
  await rec.add(root);
  const { renameSync } = await import('node:fs');
  renameSync(path.join(outside, 'newdir'), path.join(root, 'newdir'));
  await rec.settle();
  assert.deepEqual(rec.lines(), ['Create newdir', 'Create newdir/l']);
  assert.equal(rec.watcher.stats().watches, 2);
});
