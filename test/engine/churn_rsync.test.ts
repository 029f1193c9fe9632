// Random churn for 30 s against default.rsync (real inotify, real rsync), then source and target
// compared byte for byte: content, symlink targets, modes. The seed is printed for replay
// (LSYNCD_TS_CHURN_SEED=<seed>; LSYNCD_TS_CHURN_SECONDS shortens or lengthens the run).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';

import { Churner, churnFor, churnMs, churnSeed } from '../helpers/churn.js';
import { compareTrees } from '../helpers/compare_trees.js';
import { startEngine } from '../helpers/engine_harness.js';
import { tempDir } from '../helpers/temp_tree.js';

test('rsync mode converges after random churn', { timeout: 180_000 }, async (t) => {
  const seed = churnSeed();
  t.diagnostic(`churn seed ${seed} (replay with LSYNCD_TS_CHURN_SEED=${seed})`);
  const src = tempDir(t);
  const dst = tempDir(t);
  const churner = new Churner(src, seed);
  for (let i = 0; i < 50; i++) churner.step(); // some tree before start
  const { engine, log } = await startEngine(t, {
    sync: [{ mode: 'rsync', source: src, target: dst, delay: 0.2, rsync: { archive: true } }],
  });
  const steps = await churnFor(churner, churnMs());
  await engine.whenIdle();
  const diffs = compareTrees(src, dst);
  if (diffs.length > 0) {
    // Full history for diagnosis: every operation and the engine's log (queue + exec lines).
    const dump = path.join(os.tmpdir(), `lsyncd-ts-churn-${seed}.log`);
    writeFileSync(dump, `${diffs.join('\n')}\n\n--- ops ---\n${churner.log.join('\n')}\n\n--- engine ---\n${log.lines.join('\n')}\n`);
    t.diagnostic(`full history in ${dump}`);
  }
  assert.deepEqual(diffs, [], `seed ${seed}, ${steps} steps; last ops:\n${churner.log.slice(-30).join('\n')}`);
  assert.ok(engine.status().every((s) => s.state === 'running'));
  t.diagnostic(`${steps} operations, ${engine.status()[0]!.transfersOk} transfers`);
});
