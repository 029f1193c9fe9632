// Delivery without flush(): a batch leaves after settleMs of quiet, or maxLatencyMs after its
// first record even while changes keep coming (parcel #70: a file written every 10 ms must still
// be reported). Waits on conditions, never on fixed sleeps.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { tempDir } from '../helpers/temp_tree.js';
import { WatchRecorder } from '../helpers/watch_recorder.js';

function waitFor(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => {
      if (cond()) return resolve();
      if (Date.now() - t0 > timeoutMs) return reject(new Error('condition not met in time'));
      setImmediate(tick);
    };
    tick();
  });
}

test('a change is delivered on its own after the settle period', async (t) => {
  const root = tempDir(t);
  const rec = new WatchRecorder(t, { settleMs: 10, maxLatencyMs: 100 });
  await rec.add(root);
  writeFileSync(path.join(root, 'f'), 'x');
  await waitFor(() => rec.records.length > 0);
  assert.deepEqual(rec.lines(), ['Create f']);
});

test('continuous writes still produce batches (maxLatencyMs caps the wait)', async (t) => {
  const root = tempDir(t);
  const rec = new WatchRecorder(t, { settleMs: 1000, maxLatencyMs: 30 });
  await rec.add(root);
  const file = path.join(root, 'busy');
  let i = 0;
  // Write faster than the settle period, until a batch arrives; settle alone would never fire.
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      writeFileSync(file, String(i++));
      if (rec.records.length > 0) {
        clearInterval(timer);
        resolve();
      } else if (i > 2000) {
        clearInterval(timer);
        reject(new Error('no batch while writes continued'));
      }
    }, 2);
  });
  assert.equal(rec.records[0]!.path, 'busy');
});

test('with no settle time, a new small file still arrives as one Create (the batch waits for its close)', async (t) => {
  const root = tempDir(t);
  // The grace is generous here so the assertion does not depend on how fast a loaded machine
  // runs the writer; production uses 1 ms (a shell redirect takes well under that).
  const rec = new WatchRecorder(t, { settleMs: 0, maxLatencyMs: 10_000, createGraceMs: 5_000 });
  await rec.add(root);
  // Without the create hold most of these were split: the reader woke on IN_CREATE and sent the
  // Create before the write, then a lone Modify (native/core/create_hold.h).
  for (let i = 0; i < 30; i++) {
    const before = rec.records.length;
    // Another process writes, as in production (a shell redirect: open, write, close).
    execFileSync('sh', ['-c', `printf 'content %s' ${i} > f${i}`], { cwd: root });
    await waitFor(() => rec.records.length > before);
    await rec.settle();
  }
  assert.deepEqual(rec.lines(), Array.from({ length: 30 }, (_, i) => `Create f${i}`));
});

test('a file kept open is still delivered after the create grace', async (t) => {
  const root = tempDir(t);
  const rec = new WatchRecorder(t, { settleMs: 0, maxLatencyMs: 60_000, createGraceMs: 5 });
  await rec.add(root);
  const fd = openSync(path.join(root, 'open'), 'w');
  t.after(() => closeSync(fd));
  await waitFor(() => rec.records.length > 0);
  assert.deepEqual(rec.lines(), ['Create open']);
});
