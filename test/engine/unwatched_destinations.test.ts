// Directory moves whose destination is a directory the watcher has not watched yet (it was made
// just before, and its IN_CREATE is still unread), in every mode, through real inotify, the real
// engine and real rsync / sshd / fs. Under load that is the common case for `mkdir x; mv d x/n`;
// here the watcher's reader is paused while the tree changes, so the kernel queues every event
// first and the order is the same on every run.
//
// - `mkdir x; mv d x/n`: only d's MOVED_FROM is queued. The walk of x meets d's directories,
//   still watched, at their new place; everything below them must reach the target there.
// - `mkdir y; mv a/b y/b; mv a y/b/a`: a's MOVED_TO is queued on b's watch while b's own move
//   out of a is not known yet, so a lands "below itself" in the watcher's table.
// Afterwards both moved trees are still watched: a change deep inside them reaches the target.
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

async function movesIntoUnwatchedConverge(t: TestContext, syncFor: SyncFor): Promise<void> {
  const src = tempDir(t);
  const dst = tempDir(t);
  const at = (rel: string) => path.join(src, rel);
  mkdirSync(at('d/sub/deep'), { recursive: true });
  writeFileSync(at('d/sub/f'), 'in a subdirectory of d');
  writeFileSync(at('d/sub/deep/g'), 'deeper in d');
  mkdirSync(at('a/b/c'), { recursive: true });
  writeFileSync(at('a/g'), 'in a');
  writeFileSync(at('a/b/c/f'), 'in b, below a');
  const { engine, watchers } = await startEngine(t, { sync: [await syncFor(src, dst)] });
  await engine.whenIdle();
  assert.deepEqual(compareTrees(src, dst), [], 'after the init transfer');
  const [watcher] = watchers;
  assert.ok(watcher);

  watcher.__pauseReader(true); // commands are ordered: the pause precedes the changes below
  mkdirSync(at('x'));
  renameSync(at('d'), at('x/n'));
  mkdirSync(at('y'));
  renameSync(at('a/b'), at('y/b'));
  renameSync(at('a'), at('y/b/a'));
  writeFileSync(at('y/b/a/new'), 'written after the moves');
  watcher.__pauseReader(false);
  await engine.whenIdle();
  assert.deepEqual(compareTrees(src, dst), [], 'after the moves');

  writeFileSync(at('x/n/sub/deep/later'), 'inside the first moved tree');
  writeFileSync(at('y/b/c/later'), 'inside the second moved tree');
  await engine.whenIdle();
  assert.deepEqual(compareTrees(src, dst), [], 'after changes inside the moved trees');
  assert.deepEqual(await checkWatchTable(watcher, [src]), []);
  assert.ok(engine.status().every((s) => s.state === 'running'), JSON.stringify(engine.status()));
}

for (const mode of SYNC_MODES) {
  test(`${mode}: directories moved into new directories not watched yet reach the target whole`, (t) =>
    movesIntoUnwatchedConverge(t, (src, dst) => modeSync(t, mode, src, dst, { delay: 0.2, rsync: { archive: true } })));
}
