// A target that refuses writes for a while (here a read-only bind mount, as a remount ro or a
// full quota would): rsync ends with exit 23, "some files/attrs were not transferred". That is
// not done: the batch must come back (`again`, retried with backoff, src/config/defaults.ts
// RSYNC_EXIT_CODES), so the creates and deletes made while the target was read-only arrive
// once it is writable again. lsyncd counts 23 as success and loses them for good.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { startEngine } from '../helpers/engine_harness.js';
import { modeSync } from '../helpers/mode_sync.js';
import { mountPoint, readOnlyBind } from '../helpers/mounts.js';
import { tempDir } from '../helpers/temp_tree.js';
import { waitFor } from '../helpers/wait_for.js';

for (const mode of ['rsync', 'rsyncssh'] as const) {
  test(`${mode}: creates and deletes made while the target is read-only arrive once it is writable`, async (t) => {
    const src = tempDir(t);
    const mp = mountPoint(t);
    const dst = mp.dir;
    writeFileSync(path.join(src, 'old'), 'old\n');
    const { engine, log } = await startEngine(t, { sync: [await modeSync(t, mode, src, dst, { delay: 0 })] });
    await engine.whenIdle();
    assert.ok(existsSync(path.join(dst, 'old')));

    const ro = readOnlyBind(mp);
    writeFileSync(path.join(src, 'new'), 'new\n');
    unlinkSync(path.join(src, 'old'));
    await waitFor(() => engine.status()[0]!.transfersRetried >= 1, 'the partial transfer to be retried');
    assert.equal(engine.status()[0]!.state, 'retrying');
    assert.match(engine.status()[0]!.lastError ?? '', /code 23/);
    assert.ok(log.lines.some((l) => /Read-only file system/.test(l)), 'rsync says why');

    ro.unmount();
    await waitFor(() => existsSync(path.join(dst, 'new')) && !existsSync(path.join(dst, 'old')), 'the create and the delete on the target');
    assert.equal(readFileSync(path.join(dst, 'new'), 'utf8'), 'new\n');
    await engine.whenIdle();
    assert.equal(engine.status()[0]!.state, 'running');
  });
}
