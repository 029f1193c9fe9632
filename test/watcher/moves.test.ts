// Moves: IN_MOVED_FROM/IN_MOVED_TO paired by cookie; a renamed directory keeps every descendant
// watch with correct paths; moves out of the tree become deletes (and drop the watches), moves
// into it become creates (and are walked). atom/watcher parent-rename and unpaired-rename cases.
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { tempDir } from '../helpers/temp_tree.js';
import { WatchRecorder } from '../helpers/watch_recorder.js';

test('rename parent then child in one batch', async (t) => {
  const root = tempDir(t);
  mkdirSync(path.join(root, 'p/c/g'), { recursive: true });
  const rec = new WatchRecorder(t);
  await rec.add(root);
  renameSync(path.join(root, 'p'), path.join(root, 'P'));
  renameSync(path.join(root, 'P/c'), path.join(root, 'P/C'));
  writeFileSync(path.join(root, 'P/C/g/new'), 'x');
  await rec.settle();
  assert.deepEqual(rec.lines(), ['MoveFrom p', 'MoveTo P', 'MoveFrom P/c', 'MoveTo P/C', 'Create P/C/g/new']);
  const from = rec.records.find((r) => r.kind === 'MoveFrom')!;
  const to = rec.records.find((r) => r.kind === 'MoveTo')!;
  assert.equal(from.cookie, to.cookie);
  assert.ok(from.isDir && to.isDir);
  assert.equal(rec.watcher.stats().watches, 4);
});

test('rename parent then child across batches', async (t) => {
  const root = tempDir(t);
  mkdirSync(path.join(root, 'p/c/g'), { recursive: true });
  const rec = new WatchRecorder(t);
  await rec.add(root);
  renameSync(path.join(root, 'p'), path.join(root, 'q'));
  await rec.settle();
  renameSync(path.join(root, 'q/c'), path.join(root, 'q/d'));
  await rec.settle();
  writeFileSync(path.join(root, 'q/d/g/f'), 'x');
  await rec.settle();
  assert.deepEqual(rec.lines().slice(0, 5), ['MoveFrom p', 'MoveTo q', 'MoveFrom q/c', 'MoveTo q/d', 'Create q/d/g/f']);
  assert.ok(rec.batches.length >= 3);
});

test('moves out of, into and back into the tree', async (t) => {
  const root = tempDir(t);
  const outside = tempDir(t);
  mkdirSync(path.join(root, 'tree/sub'), { recursive: true });
  writeFileSync(path.join(root, 'tree/sub/f'), 'x');
  writeFileSync(path.join(root, 'file'), 'x');
  const rec = new WatchRecorder(t);
  await rec.add(root);
  assert.equal(rec.watcher.stats().watches, 3);

  renameSync(path.join(root, 'tree'), path.join(outside, 'tree'));
  renameSync(path.join(root, 'file'), path.join(outside, 'file'));
  await rec.settle();
  assert.deepEqual(rec.lines(), ['Delete tree', 'Delete file']);
  assert.ok(rec.records.every((r) => r.unpaired));
  assert.equal(rec.watcher.stats().watches, 1, 'watches of a tree that left are removed');

  // Changes in the moved-away tree are no longer reported.
  rec.clear();
  writeFileSync(path.join(outside, 'tree/sub/g'), 'x');
  renameSync(path.join(outside, 'tree'), path.join(root, 'back'));
  await rec.settle();
  assert.deepEqual(rec.lines(), ['Create back', 'Create back/sub', 'Create back/sub/f', 'Create back/sub/g']);
  assert.ok(rec.records[0]!.unpaired && !rec.records[1]!.unpaired && rec.records[1]!.synthetic);
  assert.equal(rec.watcher.stats().watches, 3);

  // ... and the tree moved back in is fully watched again.
  rec.clear();
  writeFileSync(path.join(root, 'back/sub/h'), 'x');
  await rec.settle();
  assert.ok(rec.lines().includes('Create back/sub/h'));
});

test('file rename is one MoveFrom/MoveTo pair with one cookie', async (t) => {
  const root = tempDir(t);
  writeFileSync(path.join(root, 'a'), 'x');
  const rec = new WatchRecorder(t);
  await rec.add(root);
  renameSync(path.join(root, 'a'), path.join(root, 'b'));
  await rec.settle();
  assert.deepEqual(rec.lines(), ['MoveFrom a', 'MoveTo b']);
  assert.ok(rec.records[0]!.cookie !== 0 && rec.records[0]!.cookie === rec.records[1]!.cookie);
});

// The reader is paused so the kernel queues every event below before the watcher reads one:
// the new directory x is not watched yet when the moves land in it, as happens under load.
test('a directory moved into one not watched yet is reported there with its whole subtree', async (t) => {
  const root = tempDir(t);
  mkdirSync(path.join(root, 'd/sub/deep'), { recursive: true });
  writeFileSync(path.join(root, 'd/sub/f'), 'x');
  writeFileSync(path.join(root, 'd/sub/deep/g'), 'x');
  const rec = new WatchRecorder(t);
  await rec.add(root);
  rec.watcher.__pauseReader(true);
  mkdirSync(path.join(root, 'x'));
  renameSync(path.join(root, 'd'), path.join(root, 'x/n'));
  rec.watcher.__pauseReader(false);
  await rec.settle();
  // Only d's MOVED_FROM was queued (x had no watch): to a consumer x/n and all below it are new.
  assert.deepEqual(rec.paths('Create').sort(), ['x', 'x/n', 'x/n/sub', 'x/n/sub/deep', 'x/n/sub/deep/g', 'x/n/sub/f']);
  assert.deepEqual(rec.paths('Delete'), ['d']);
  assert.equal(rec.watcher.stats().watches, 5);
  rec.clear();
  writeFileSync(path.join(root, 'x/n/sub/deep/h'), 'x');
  await rec.settle();
  assert.deepEqual(rec.lines(), ['Create x/n/sub/deep/h']);
});

test('a directory moved below its own child whose move out is not read yet', async (t) => {
  const root = tempDir(t);
  mkdirSync(path.join(root, 'a/b/c'), { recursive: true });
  writeFileSync(path.join(root, 'a/b/c/f'), 'x');
  writeFileSync(path.join(root, 'a/g'), 'x');
  const rec = new WatchRecorder(t);
  await rec.add(root);
  rec.watcher.__pauseReader(true);
  mkdirSync(path.join(root, 'x'));
  renameSync(path.join(root, 'a/b'), path.join(root, 'x/b')); // only a MOVED_FROM: x has no watch
  renameSync(path.join(root, 'a'), path.join(root, 'x/b/a')); // MOVED_TO on b's watch, b still "in a"
  writeFileSync(path.join(root, 'x/b/a/new'), 'x'); // an event on a's watch after that
  rec.watcher.__pauseReader(false);
  await rec.settle();
  assert.deepEqual(rec.paths('Create').sort(), ['x', 'x/b', 'x/b/a', 'x/b/a/g', 'x/b/a/new', 'x/b/c', 'x/b/c/f']);
  assert.deepEqual(rec.paths('Delete').sort(), ['a', 'a/b']);
  assert.equal(rec.watcher.stats().watches, 5);
  rec.clear();
  writeFileSync(path.join(root, 'x/b/a/h'), 'x');
  await rec.settle();
  assert.deepEqual(rec.lines(), ['Create x/b/a/h']);
});
