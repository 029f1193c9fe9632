// Excluded directories are never watched: the rule list (lsyncd exclude/filter semantics, shared
// truth table test/fixtures/rule-cases.tsv) is evaluated before inotify_add_watch, at add() time
// and for directories that appear later. Records for excluded paths are still delivered — the
// sync engine filters events with the same rules; only the watches are saved.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { tempDir } from '../helpers/temp_tree.js';
import { WatchRecorder } from '../helpers/watch_recorder.js';

test('excluded directories are not watched, at add() time or later', async (t) => {
  const root = tempDir(t);
  for (const d of ['.git/objects/aa', 'src/.git/x', 'web/node_modules/pkg', 'web/app', 'vendor/lib', 'keep'])
    mkdirSync(path.join(root, d), { recursive: true });
  const rec = new WatchRecorder(t);
  const rules = [
    { include: false, pattern: '.git/' },
    { include: false, pattern: 'web/node_modules' },
    { include: false, pattern: '/vendor/' },
  ];
  const res = await rec.add(root, rules);
  // root, src, web, web/app, keep
  assert.equal(res.dirs, 5);
  assert.equal(rec.watcher.stats().watches, 5);

  mkdirSync(path.join(root, 'keep/.git/deep'), { recursive: true });
  mkdirSync(path.join(root, 'keep/vendor/x'), { recursive: true }); // /vendor/ is anchored: watched
  await rec.settle();
  assert.equal(rec.watcher.stats().watches, 7);
  writeFileSync(path.join(root, 'keep/.git/deep/f'), 'x');
  writeFileSync(path.join(root, 'keep/vendor/x/f'), 'x');
  rec.clear();
  await rec.settle();
  assert.deepEqual(rec.lines(), ['Create keep/vendor/x/f']);
});

test('filter rules: first match wins (lsyncd filter-rsync)', async (t) => {
  const root = tempDir(t);
  for (const d of ['abx/a', 'acx/x', 'baa']) mkdirSync(path.join(root, d), { recursive: true });
  const rec = new WatchRecorder(t);
  const res = await rec.add(root, [
    { include: false, pattern: '/ab**' },
    { include: true, pattern: '/a**' },
    { include: false, pattern: '/**' },
  ]);
  assert.equal(res.dirs, 3); // root, acx, acx/x
});
