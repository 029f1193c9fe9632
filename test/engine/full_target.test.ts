// A target file system that fills up (a 1 MiB tmpfs and a 3 MB file): rsync's receiver fails
// with ENOSPC, and rsync's last stderr line is the sender's "Broken pipe" that follows. The
// retry warning and the status's last error must quote the cause — "write failed on ...: No
// space left on device (28)" — not the echo (src/transports/rsync/error_line.ts).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { startEngine } from '../helpers/engine_harness.js';
import { modeSync } from '../helpers/mode_sync.js';
import { mountPoint, smallTmpfs } from '../helpers/mounts.js';
import { tempDir } from '../helpers/temp_tree.js';
import { waitFor } from '../helpers/wait_for.js';

for (const mode of ['rsync', 'rsyncssh'] as const) {
  test(`${mode}: a full target is reported as "No space left on device", not "Broken pipe"`, async (t) => {
    const src = tempDir(t);
    const mp = mountPoint(t);
    smallTmpfs(mp, '1m');
    const { engine, log } = await startEngine(t, { sync: [await modeSync(t, mode, src, mp.dir, { delay: 0 })] });
    await engine.whenIdle();

    writeFileSync(path.join(src, 'big'), Buffer.alloc(3_000_000, 7));
    await waitFor(() => engine.status()[0]!.transfersRetried >= 1, 'the failed transfer to be retried');
    const lastError = engine.status()[0]!.lastError ?? '';
    assert.match(lastError, /write failed on .*big.*: No space left on device \(28\)/);
    assert.doesNotMatch(lastError, /Broken pipe/);
    const warning = log.lines.find((l) => /retrying in/.test(l)) ?? '';
    assert.match(warning, /No space left on device/);
  });
}
