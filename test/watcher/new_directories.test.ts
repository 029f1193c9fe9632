// New directories are watched first, then scanned: deep `mkdir -p`, `cp -r` of a populated tree
// and `tar x` are seen completely (parcel #97, inotify-tools #160/#121, lsyncd l4rsyncdata).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { tempDir } from '../helpers/temp_tree.js';
import { WatchRecorder } from '../helpers/watch_recorder.js';

function treeFiles(root: string): string[] {
  return execFileSync('find', ['.', '-mindepth', '1'], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((p) => p.slice(2))
    .sort();
}

test('mkdir -p a/b/c/d && echo x > a/b/c/d/f is seen completely', async (t) => {
  const root = tempDir(t);
  const rec = new WatchRecorder(t);
  await rec.add(root);
  execFileSync('sh', ['-c', 'mkdir -p a/b/c/d && echo x > a/b/c/d/f'], { cwd: root });
  await rec.settle();
  const created = new Set(rec.paths('Create'));
  for (const p of ['a', 'a/b', 'a/b/c', 'a/b/c/d', 'a/b/c/d/f']) assert.ok(created.has(p), `missing Create ${p}: ${rec.lines()}`);
  assert.equal(rec.watcher.stats().watches, 5);
  // Parents are reported before their children.
  const order = rec.paths('Create');
  assert.ok(order.indexOf('a') < order.indexOf('a/b/c/d/f'));
  // The deepest directory is really watched: a later write there is reported.
  rec.clear();
  writeFileSync(path.join(root, 'a/b/c/d/g'), 'y');
  await rec.settle();
  assert.deepEqual(rec.lines(), ['Create a/b/c/d/g']); // its Modify is folded into the Create
});

test('cp -r of a populated tree reports every entry', async (t) => {
  const root = tempDir(t);
  const outside = tempDir(t);
  const src = path.join(outside, 'src');
  for (let i = 0; i < 20; i++) {
    mkdirSync(path.join(src, `d${i}`, 'e', 'f'), { recursive: true });
    writeFileSync(path.join(src, `d${i}`, 'e', 'f', 'leaf'), `${i}`);
    writeFileSync(path.join(src, `d${i}`, 'top'), `${i}`);
  }
  const rec = new WatchRecorder(t);
  await rec.add(root);
  execFileSync('cp', ['-r', src, path.join(root, 'copy')]);
  await rec.settle();
  const expected = treeFiles(root);
  const seen = new Set(rec.paths('Create'));
  const missing = expected.filter((p) => !seen.has(p));
  assert.deepEqual(missing, []);
  assert.equal(rec.watcher.stats().watches, 1 + expected.filter((p) => !p.endsWith('leaf') && !p.endsWith('top')).length);
});

test('tar x of an archive reports every entry', async (t) => {
  const root = tempDir(t);
  const outside = tempDir(t);
  mkdirSync(path.join(outside, 'pkg', 'lib', 'deep', 'er'), { recursive: true });
  for (const f of ['pkg/README', 'pkg/lib/a.js', 'pkg/lib/deep/b.js', 'pkg/lib/deep/er/c.js'])
    writeFileSync(path.join(outside, f), f);
  execFileSync('tar', ['cf', path.join(outside, 'p.tar'), '-C', outside, 'pkg']);
  const rec = new WatchRecorder(t);
  await rec.add(root);
  execFileSync('tar', ['xf', path.join(outside, 'p.tar'), '-C', root]);
  await rec.settle();
  const seen = new Set(rec.paths('Create'));
  assert.deepEqual(treeFiles(root).filter((p) => !seen.has(p)), []);
});

test('initial add() watches every directory and reports nothing', async (t) => {
  const root = tempDir(t);
  for (let i = 0; i < 50; i++) mkdirSync(path.join(root, `x${i % 5}`, `y${i}`), { recursive: true });
  const rec = new WatchRecorder(t);
  const res = await rec.add(root);
  assert.equal(res.dirs, 1 + 5 + 50);
  assert.deepEqual(res.errors, []);
  await rec.settle();
  assert.deepEqual(rec.lines(), []);
});
