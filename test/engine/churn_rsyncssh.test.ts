// Random churn against default.rsyncssh through a real sshd on loopback (started by the test,
// generated keys): data by rsync over ssh, moves executed on the target in batched ssh calls,
// one shared master connection. Converges byte for byte; seed printed for replay
// (LSYNCD_TS_CHURN_SEED, LSYNCD_TS_CHURN_SECONDS).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';

import { Churner, churnFor, churnMs, churnSeed } from '../helpers/churn.js';
import { compareTrees } from '../helpers/compare_trees.js';
import { startEngine } from '../helpers/engine_harness.js';
import { startSshd } from '../helpers/sshd.js';
import { tempDir } from '../helpers/temp_tree.js';

test('rsyncssh mode converges after random churn', { timeout: 240_000 }, async (t) => {
  const seed = churnSeed();
  t.diagnostic(`churn seed ${seed} (replay with LSYNCD_TS_CHURN_SEED=${seed})`);
  const sshd = await startSshd(t);
  const src = tempDir(t);
  const dst = tempDir(t);
  const churner = new Churner(src, seed);
  for (let i = 0; i < 50; i++) churner.step();
  const { engine, log } = await startEngine(t, {
    sync: [
      {
        mode: 'rsyncssh',
        source: src,
        host: `${sshd.user}@${sshd.host}`,
        targetdir: dst,
        delay: 0.2,
        rsync: { archive: true },
        ssh: sshd.sshTable,
      },
    ],
  });
  const steps = await churnFor(churner, churnMs());
  await engine.whenIdle();
  const diffs = compareTrees(src, dst);
  if (diffs.length > 0) {
    const dump = path.join(os.tmpdir(), `lsyncd-ts-churn-rsyncssh-${seed}.log`);
    writeFileSync(dump, `${diffs.join('\n')}\n\n--- ops ---\n${churner.log.join('\n')}\n\n--- engine ---\n${log.lines.join('\n')}\n`);
    t.diagnostic(`full history in ${dump}`);
  }
  assert.deepEqual(diffs, [], `seed ${seed}, ${steps} steps`);
  assert.ok(engine.status().every((s) => s.state === 'running'), JSON.stringify(engine.status()));
  assert.equal(sshd.countLog(/Accepted publickey/), 1, 'one ssh master connection served the whole run');
  t.diagnostic(`${steps} operations, ${engine.status()[0]!.transfersOk} transfers`);
});
