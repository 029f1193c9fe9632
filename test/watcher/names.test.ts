// File names are bytes: non-UTF-8, newline and leading-dash names arrive unchanged.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { tempDir } from '../helpers/temp_tree.js';
import { WatchRecorder } from '../helpers/watch_recorder.js';

test('non-UTF-8 name is delivered as the exact bytes', async (t) => {
  const root = tempDir(t);
  const rec = new WatchRecorder(t);
  await rec.add(root);
  const name = Buffer.from([0x66, 0xff, 0xfe, 0x80, 0x2e, 0x74]); // "f", invalid bytes, ".t"
  writeFileSync(Buffer.concat([Buffer.from(root + '/'), name]), 'x');
  await rec.settle();
  assert.equal(rec.records.length, 1);
  const p = rec.records[0]!.path;
  assert.ok(Buffer.isBuffer(p), 'non-UTF-8 path must stay a Buffer');
  assert.ok((p as Buffer).equals(name));
});

test('newline, leading dash, spaces, quotes, globs and UTF-8 names are delivered unchanged', async (t) => {
  const root = tempDir(t);
  const rec = new WatchRecorder(t);
  await rec.add(root);
  const names = ['a\nb', '-rf', '--delete', 'sp ace', `q'uo"te`, '$(touch x)', '*?[]', 'back\\slash', 'ünï€😀'];
  for (const n of names) writeFileSync(path.join(root, n), 'x');
  await rec.settle();
  assert.deepEqual(rec.paths('Create'), names);
  assert.ok(rec.records.every((r) => typeof r.path === 'string'));
});
