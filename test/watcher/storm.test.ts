// Storms: a 20k-file storm loses nothing, and a JS thread that is blocked (or holding a batch)
// while 30k events arrive does not cause a kernel overflow: the reader thread keeps draining the
// kernel queue into user space (docs/watcher-design.md#delivery-model, docs/watcher-design.md#delivery-model).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { tempDir } from '../helpers/temp_tree.js';
import { WatchRecorder } from '../helpers/watch_recorder.js';

// Creates `n` files in `dir` from a separate process, then keeps the caller blocked for at least
// `holdMs` in total: spawnSync blocks this JS thread for the whole storm.
function stormFromChild(dir: string, n: number, holdMs: number): void {
  const script = `
    const fs = require('fs'), path = require('path');
    const t0 = Date.now();
    for (let i = 0; i < ${n}; i++) fs.writeFileSync(path.join(${JSON.stringify(dir)}, 'f' + i), 'x');
    const rest = ${holdMs} - (Date.now() - t0);
    if (rest > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, rest);
  `;
  const r = spawnSync(process.execPath, ['-e', script], { stdio: 'inherit' });
  assert.equal(r.status, 0);
}

test('20k-file storm: every file reported once, no overflow', async (t) => {
  const root = tempDir(t);
  const rec = new WatchRecorder(t);
  await rec.add(root);
  stormFromChild(root, 20_000, 0);
  await rec.settle();
  const created = new Set(rec.paths('Create'));
  assert.equal(created.size, 20_000);
  assert.equal(readdirSync(root).filter((f) => !created.has(f)).length, 0);
  assert.equal(rec.watcher.stats().overflows, 0);
  // Each Modify is folded into its Create, except where a batch boundary (maxBatch records)
  // falls between the two: at most one per boundary.
  assert.ok(rec.paths('Modify').length < rec.batches.length, `${rec.paths('Modify').length} Modify records in ${rec.batches.length} batches`);
});

test('JS blocked for 2 s during a 30k-event storm: no kernel overflow, nothing lost', async (t) => {
  const root = tempDir(t);
  const rec = new WatchRecorder(t);
  await rec.add(root);
  // 15k files = 30k kernel events (IN_CREATE + IN_CLOSE_WRITE), more than max_queued_events.
  stormFromChild(root, 15_000, 2000);
  await rec.settle();
  assert.equal(rec.watcher.stats().overflows, 0);
  assert.equal(new Set(rec.paths('Create')).size, 15_000);
});

test('a batch held by JS does not stop draining: later records wait, coalesced, none lost', async (t) => {
  const root = tempDir(t);
  const rec = new WatchRecorder(t, { settleMs: 5, maxLatencyMs: 50 });
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let firstHeld!: () => void;
  const held = new Promise<void>((r) => (firstHeld = r));
  let holds = 0;
  rec.onBatchHook = async () => {
    if (holds++ === 0) {
      firstHeld();
      await gate;
    }
  };
  await rec.add(root);
  writeFileSync(path.join(root, 'first'), 'x');
  await held; // the first batch is now in flight and held
  stormFromChild(root, 15_000, 0);
  assert.equal(rec.batches.length, 1, 'no second batch while the first is held');
  release();
  await rec.settle();
  assert.equal(rec.watcher.stats().overflows, 0);
  assert.equal(new Set(rec.paths('Create')).size, 15_001);
});
