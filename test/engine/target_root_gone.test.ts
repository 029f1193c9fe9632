// The target's root directory removed under a running sync (rm -rf of the mirror) with a local
// target (rsync to a path, direct): the next change must bring back the WHOLE tree, not just the
// changed path — the transport finds the root missing before the batch and the runner queues a
// full resync (src/transports/target_root.ts). While the root cannot be recreated (its parent
// is gone too) that resync is retried with backoff, and succeeds once the parent is back.
// Remote targets have no such check before a batch (documented limit in README); there the one
// free signal is rsync failing to create the root because its parent is gone too, and then the
// whole tree comes back as well once the parent exists (rsyncssh over the loopback sshd).
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { compareTrees } from '../helpers/compare_trees.js';
import { startEngine } from '../helpers/engine_harness.js';
import { modeSync } from '../helpers/mode_sync.js';
import { tempDir } from '../helpers/temp_tree.js';
import { waitFor } from '../helpers/wait_for.js';

function seed(src: string): void {
  writeFileSync(path.join(src, 'a'), 'a\n');
  mkdirSync(path.join(src, 'sub', 'deeper'), { recursive: true });
  writeFileSync(path.join(src, 'sub', 'deeper', 'b'), 'b\n');
}

for (const mode of ['rsync', 'direct'] as const) {
  test(`${mode}: the target root removed while running comes back whole with the next change`, async (t) => {
    const src = tempDir(t);
    const dst = path.join(tempDir(t), 'mirror');
    seed(src);
    const { engine, log } = await startEngine(t, { sync: [{ mode, source: src, target: dst, delay: 0 }] });
    await engine.whenIdle();
    assert.deepEqual(compareTrees(src, dst), []);

    rmSync(dst, { recursive: true, force: true });
    writeFileSync(path.join(src, 'c'), 'c\n');
    await waitFor(() => compareTrees(src, dst).length === 0, 'the whole tree back on the target');
    assert.ok(log.lines.some((l) => /target .*mirror.* is gone; resyncing/.test(l)), 'the resync is logged with its reason');
  });

}

for (const mode of ['rsync', 'direct', 'rsyncssh'] as const) {
  test(`${mode}: with the root's parent gone too, the full resync is retried until the parent is back`, async (t) => {
    const src = tempDir(t);
    const parent = path.join(tempDir(t), 'parent');
    const dst = path.join(parent, 'mirror');
    mkdirSync(parent);
    seed(src);
    const { engine } = await startEngine(t, { sync: [await modeSync(t, mode, src, dst, { delay: 0 })] });
    await engine.whenIdle();

    rmSync(parent, { recursive: true, force: true });
    writeFileSync(path.join(src, 'c'), 'c\n');
    await waitFor(() => engine.status()[0]!.transfersRetried >= 1, 'the full resync to fail and be retried');
    assert.equal(engine.status()[0]!.state, 'retrying');

    mkdirSync(parent);
    await waitFor(() => compareTrees(src, dst).length === 0, 'the whole tree back once the parent exists');
    await engine.whenIdle();
    assert.equal(engine.status()[0]!.state, 'running');
  });
}
