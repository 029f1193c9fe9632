// Renames that replace what is at the destination (rename(2) may put a file over a file, or a
// directory over an EMPTY directory; inotify reports only the move, no Delete for what was
// replaced), in every mode, through real inotify, the real engine and real rsync / sshd / fs:
//
// - `mkdir d; mv -T x d` inside one delay: the pending Create of the empty `d` absorbs the
//   moved-in directory, and must still stand for x's whole subtree (the watcher does not report
//   a moved directory's contents again). The queue used to drop that, leaving an empty `d` on
//   the target and x's files deleted with it.
// - An editor's atomic save (write a temp file, rename it over the file).
// Afterwards the moved-in tree is still watched: a change deep inside it reaches the target.
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test, { type TestContext } from 'node:test';

import { compareTrees } from '../helpers/compare_trees.js';
import { startEngine } from '../helpers/engine_harness.js';
import { modeSync, SYNC_MODES } from '../helpers/mode_sync.js';
import { tempDir } from '../helpers/temp_tree.js';
import { checkWatchTable } from '../helpers/watch_table_check.js';

type SyncFor = (src: string, dst: string) => Promise<Record<string, unknown>>;

// Long enough that both operations of each step land in one delay window.
const DELAY_S = 1;

async function replacingRenamesConverge(t: TestContext, syncFor: SyncFor): Promise<void> {
  const src = tempDir(t);
  const dst = tempDir(t);
  mkdirSync(path.join(src, 'x/inner'), { recursive: true });
  writeFileSync(path.join(src, 'x/top'), 'top of x');
  writeFileSync(path.join(src, 'x/inner/deep'), 'deep in x');
  writeFileSync(path.join(src, 'doc'), 'version 1');
  const { engine, watchers } = await startEngine(t, { sync: [await syncFor(src, dst)] });
  await engine.whenIdle();
  assert.deepEqual(compareTrees(src, dst), [], 'after the init transfer');

  mkdirSync(path.join(src, 'd'));
  renameSync(path.join(src, 'x'), path.join(src, 'd')); // mv -T x d: replaces the empty d
  writeFileSync(path.join(src, '.doc.swp'), 'version 2');
  renameSync(path.join(src, '.doc.swp'), path.join(src, 'doc'));
  await engine.whenIdle();
  assert.deepEqual(compareTrees(src, dst), [], 'after the replacing renames');

  writeFileSync(path.join(src, 'd/inner/later'), 'written inside the moved-in tree');
  await engine.whenIdle();
  assert.deepEqual(compareTrees(src, dst), [], 'after a change inside the moved-in tree');
  const [watcher] = watchers;
  assert.ok(watcher);
  assert.deepEqual(await checkWatchTable(watcher, [src]), []);
  assert.ok(engine.status().every((s) => s.state === 'running'), JSON.stringify(engine.status()));
}

for (const mode of SYNC_MODES) {
  test(`${mode}: a directory moved over a new empty one, and a file saved by rename, reach the target whole`, (t) =>
    replacingRenamesConverge(t, (src, dst) => modeSync(t, mode, src, dst, { delay: DELAY_S, rsync: { archive: true } })));
}
