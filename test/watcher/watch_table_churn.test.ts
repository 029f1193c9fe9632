// The watch table under random churn (test/helpers/churn.ts): after every burst of operations
// and a flush(), every directory of the tree must be watched, at its current path, with the
// kernel watching the same inode (test/helpers/watch_table_check.ts). This is the watcher half
// of the churn convergence bar: a directory left unwatched makes every later change under it invisible
// to every transport. Seed printed for replay (LSYNCD_TS_CHURN_SEED); duration
// LSYNCD_TS_CHURN_SECONDS (default 30).
import assert from 'node:assert/strict';
import test from 'node:test';

import { Churner, churnMs, churnSeed } from '../helpers/churn.js';
import { tempDir } from '../helpers/temp_tree.js';
import { checkWatchTable } from '../helpers/watch_table_check.js';
import { Watcher } from '../../src/watcher/index.js';

test('the watch table matches the tree after every burst of random churn', { timeout: 180_000 }, async (t) => {
  const seed = churnSeed();
  t.diagnostic(`churn seed ${seed} (replay with LSYNCD_TS_CHURN_SEED=${seed})`);
  const src = tempDir(t);
  const churner = new Churner(src, seed);
  for (let i = 0; i < 50; i++) churner.step();
  // Default delivery timers, so batches (and JS acks) interleave with the churn as in the daemon.
  const watcher = new Watcher({}, () => undefined);
  t.after(() => watcher.close());
  await watcher.add(src);

  const end = Date.now() + churnMs();
  let steps = 0;
  let checks = 0;
  while (Date.now() < end) {
    const burst = 1 + Math.floor(Math.random() * 20);
    for (let i = 0; i < burst; i++, steps++) churner.step();
    // Half the bursts are checked at once (the reader may still be walking what they created);
    // the others get a short pause first, so churn also races with a reader that is mid-drain.
    if (Math.random() < 0.5) await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 10)));
    await watcher.flush();
    const problems = await checkWatchTable(watcher, [src]);
    checks++;
    assert.deepEqual(problems, [], `seed ${seed}, after ${steps} steps; last ops:\n${churner.log.slice(-40).join('\n')}`);
  }
  t.diagnostic(`${steps} operations, ${checks} consistency checks, ${watcher.stats().watches} watches at the end`);
  assert.ok(checks > 10);
});
