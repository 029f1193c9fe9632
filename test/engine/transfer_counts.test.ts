// Files and bytes sent reach the sync's status (and so /metrics) where the transport reports them:
// the direct transport counts what it copies.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { startEngine } from '../helpers/engine_harness.js';
import { tempDir } from '../helpers/temp_tree.js';

test('direct mode reports files and bytes sent', async (t) => {
  const src = tempDir(t);
  const dst = tempDir(t);
  const { engine } = await startEngine(t, { sync: [{ mode: 'direct', source: src, target: dst, delay: 0 }] });
  await engine.whenIdle();
  const before = engine.status()[0]!;
  writeFileSync(path.join(src, 'a'), Buffer.alloc(1000, 1));
  writeFileSync(path.join(src, 'b'), Buffer.alloc(2000, 2));
  await engine.whenIdle();
  const after = engine.status()[0]!;
  // Each file is copied at least once (a Create may run before its write's Modify at delay 0).
  assert.ok(after.filesSent - before.filesSent >= 2, JSON.stringify(after));
  assert.ok(after.bytesSent - before.bytesSent >= 3000, JSON.stringify(after));
});

test('rsync mode reports what rsync prints with --stats', async (t) => {
  const src = tempDir(t);
  const dst = tempDir(t);
  writeFileSync(path.join(src, 'init'), Buffer.alloc(500, 3));
  const { engine } = await startEngine(t, { sync: [{ mode: 'rsync', source: src, target: dst, delay: 0, rsync: { _extra: ['--stats'] } }] });
  await engine.whenIdle();
  const s = engine.status()[0]!;
  assert.equal(s.filesSent, 1, JSON.stringify(s));
  assert.equal(s.bytesSent, 500);
});
