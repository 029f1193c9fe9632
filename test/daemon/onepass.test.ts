// -onepass / settings.onepass (lsyncd 2.3): run the init transfers, then exit 0; a sync that
// cannot finish makes it exit 255. Through the real binary.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { compareTrees } from '../helpers/compare_trees.js';
import { tempDir } from '../helpers/temp_tree.js';
import { startBin } from './daemon_harness.js';

test('-onepass mirrors once and exits 0', async (t) => {
  const src = tempDir(t);
  const dst = tempDir(t);
  mkdirSync(path.join(src, 'd'));
  writeFileSync(path.join(src, 'd/f'), 'x');
  const d = startBin(t, ['-nodaemon', '-onepass', '-rsync', src, dst]);
  assert.equal(await d.exited, 0, d.output());
  assert.deepEqual(compareTrees(src, dst, { modes: false }), []);
  assert.match(d.output(), /--- onepass finished ---/);
});

test('onepass with a sync that dies exits 255 and names it', async (t) => {
  const src = tempDir(t);
  const conf = path.join(tempDir(t), 'c.json');
  writeFileSync(conf, JSON.stringify({
    settings: { onepass: true },
    sync: [{ name: 'broken', mode: 'rsync', source: src, target: tempDir(t), rsync: { _extra: ['--no-such-option'] } }],
  }));
  const d = startBin(t, ['run', conf, '--nodaemon']);
  assert.equal(await d.exited, 255, d.output());
  // Its init transfer failed: a start-up failure, reported as such (start_daemon.ts).
  assert.match(d.output(), /Error: broken: start-up failed: rsync exited with code 1/);
});
