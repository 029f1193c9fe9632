// Losing the root — deleted or moved away — yields one RootGone record and no watches left;
// other roots of the same watcher carry on.
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { tempDir } from '../helpers/temp_tree.js';
import { WatchRecorder } from '../helpers/watch_recorder.js';

test('deleting the root: RootGone, watches released, the other root still works', async (t) => {
  const base = tempDir(t);
  const a = path.join(base, 'a');
  const b = path.join(base, 'b');
  mkdirSync(path.join(a, 'x/y'), { recursive: true });
  mkdirSync(b);
  const rec = new WatchRecorder(t);
  const ra = await rec.add(a);
  const rb = await rec.add(b);
  assert.equal(rec.watcher.stats().watches, 4);
  rmSync(a, { recursive: true });
  await rec.settle();
  const gone = rec.records.filter((r) => r.kind === 'RootGone');
  assert.equal(gone.length, 1);
  assert.equal(gone[0]!.root, ra.rootId);
  assert.equal(rec.records.filter((r) => r.root === ra.rootId).length, 1, 'pending records of a lost root are dropped');
  assert.equal(rec.watcher.stats().watches, 1);
  rec.clear();
  writeFileSync(path.join(b, 'f'), 'x');
  await rec.settle();
  assert.deepEqual(rec.lines(), ['Create f']);
  assert.equal(rec.records[0]!.root, rb.rootId);
});

test('moving the root away: RootGone', async (t) => {
  const base = tempDir(t);
  const a = path.join(base, 'a');
  mkdirSync(path.join(a, 'sub'), { recursive: true });
  const rec = new WatchRecorder(t);
  await rec.add(a);
  renameSync(a, path.join(base, 'elsewhere'));
  await rec.settle();
  assert.deepEqual(rec.lines(), ['RootGone ']);
  assert.equal(rec.watcher.stats().watches, 0);
});

test('add() of a missing root rejects with a message naming the fix', async (t) => {
  const base = tempDir(t);
  const rec = new WatchRecorder(t);
  await assert.rejects(rec.add(path.join(base, 'nope')), /no such directory — create it or fix "source"/);
  writeFileSync(path.join(base, 'file'), 'x');
  await assert.rejects(rec.add(path.join(base, 'file')), /not a directory/);
});

test('overlapping roots in one watcher are refused', async (t) => {
  const base = tempDir(t);
  mkdirSync(path.join(base, 'inner'));
  const rec = new WatchRecorder(t);
  await rec.add(base);
  await assert.rejects(rec.add(path.join(base, 'inner')), /overlaps a root/);
});

test('a root containing an existing root reports the overlap instead of skipping it silently', async (t) => {
  const base = tempDir(t);
  mkdirSync(path.join(base, 'inner/deeper'), { recursive: true });
  const rec = new WatchRecorder(t);
  await rec.add(path.join(base, 'inner'));
  const outer = await rec.add(base);
  assert.equal(outer.errors.length, 1);
  assert.equal(outer.errors[0]!.path, path.join(base, 'inner'));
  assert.match(outer.errors[0]!.message, /overlaps a root/);
});
