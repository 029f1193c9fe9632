// parseItemizeLine / classifyItem: rsync's --itemize-changes lines as verify reads them
// (src/transports/rsync/itemize.ts). The lines are rsync 3.2's own output for each case.
import assert from 'node:assert/strict';
import test from 'node:test';

import { classifyItem, parseItemizeLine, unescapeRsyncName } from '../../../src/transports/rsync/itemize.js';

test('new entries are missing: files, directories, symlinks (the " -> value" is not part of the name)', () => {
  assert.deepEqual(parseItemizeLine('>f+++++++++ d/new'), { kind: 'missing', path: 'd/new' });
  assert.deepEqual(parseItemizeLine('cd+++++++++ d/sub/'), { kind: 'missing', path: 'd/sub/' });
  assert.deepEqual(parseItemizeLine('cL+++++++++ l -> a'), { kind: 'missing', path: 'l' });
});

test('content or size differences are changed; a symlink with another value is changed', () => {
  assert.deepEqual(parseItemizeLine('>fcs....... a'), { kind: 'changed', path: 'a' });
  assert.deepEqual(parseItemizeLine('>fc.t...... same size'), { kind: 'changed', path: 'same size' });
  assert.deepEqual(parseItemizeLine('cLc.t...... l -> b'), { kind: 'changed', path: 'l' });
});

test('*deleting is extra', () => {
  assert.deepEqual(parseItemizeLine('*deleting   e'), { kind: 'extra', path: 'e' });
  assert.deepEqual(parseItemizeLine('*deleting   old dir/'), { kind: 'extra', path: 'old dir/' });
});

test('times, permissions, owner only: attributes, not drift', () => {
  assert.equal(classifyItem('.f..t......'), 'attributes');
  assert.equal(classifyItem('.d...p.....'), 'attributes');
  assert.equal(classifyItem('.f....og...'), 'attributes');
  assert.deepEqual(parseItemizeLine('.d..t...... ./'), { kind: 'attributes', path: './' });
});

test('lines that are not entries: undefined', () => {
  for (const line of ['', 'sending incremental file list', 'created directory /t', 'sent 120 bytes  received 19 bytes', 'total size is 4  speedup is 0.03 (DRY RUN)', 'xf+++++++++ a']) {
    assert.equal(parseItemizeLine(line), undefined, line);
  }
});

test("names with rsync's \\#ooo escapes come back as their bytes", () => {
  assert.equal(unescapeRsyncName('n\\#012l'), 'n\nl');
  assert.deepEqual(unescapeRsyncName('bad\\#377'), Buffer.from([0x62, 0x61, 0x64, 0xff]));
  assert.deepEqual(parseItemizeLine('>f+++++++++ caf\\#303\\#251'), { kind: 'missing', path: 'café' });
});
