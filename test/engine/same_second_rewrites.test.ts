// A file rewritten with the same size, its mtime still in the same second as the copy the target
// already has, in every mode (real inotify, engine, rsync / sshd / fs). rsync's quick check
// compares size and whole-second mtimes, so without --ignore-times on content batches the new
// bytes never reach the target — lsyncd loses such updates (src/transports/rsync/batch_argv.ts).
// The times are pinned with utimes, so the test does not depend on the clock.
import assert from 'node:assert/strict';
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test, { type TestContext } from 'node:test';

import { compareTrees } from '../helpers/compare_trees.js';
import { startEngine } from '../helpers/engine_harness.js';
import { modeSync, SYNC_MODES } from '../helpers/mode_sync.js';
import { tempDir } from '../helpers/temp_tree.js';

const SECOND = 1_700_000_000; // a fixed whole second, in s

async function sameSecondRewriteArrives(t: TestContext, syncFor: (src: string, dst: string) => Promise<Record<string, unknown>>): Promise<void> {
  const src = tempDir(t);
  const dst = tempDir(t);
  const f = path.join(src, 'status');
  writeFileSync(f, 'state: OK ');
  utimesSync(f, SECOND, SECOND + 0.1);
  const { engine } = await startEngine(t, { sync: [await syncFor(src, dst)] });
  await engine.whenIdle();
  assert.equal(readFileSync(path.join(dst, 'status'), 'utf8'), 'state: OK ');

  writeFileSync(f, 'state: BAD'); // same size
  utimesSync(f, SECOND, SECOND + 0.7); // same whole second as the target's copy
  await engine.whenIdle();
  assert.equal(readFileSync(path.join(dst, 'status'), 'utf8'), 'state: BAD');
  assert.deepEqual(compareTrees(src, dst), []);
}

for (const mode of SYNC_MODES) {
  test(`${mode}: a same-size rewrite within the same mtime second reaches the target`, (t) =>
    sameSecondRewriteArrives(t, (src, dst) => modeSync(t, mode, src, dst, { delay: 0, rsync: { archive: true } })));
}
