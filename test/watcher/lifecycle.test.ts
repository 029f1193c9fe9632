// Lifecycle: close() joins the reader thread and frees the inotify fd and its eventfd; a closed
// watcher is inert; requests outstanding at close() settle instead of hanging.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { Watcher } from '../../src/watcher/index.js';
import { tempDir } from '../helpers/temp_tree.js';

function anonFds(kind: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === `anon_inode:${kind}`) n++;
    } catch {
      // the fd of the readdir itself is gone by now
    }
  }
  return n;
}

test('close() releases the inotify fd and the eventfd', async (t) => {
  const root = tempDir(t);
  for (let i = 0; i < 20; i++) mkdirSync(path.join(root, `d${i}`));
  const before = [anonFds('inotify'), anonFds('[eventfd]')];
  const watchers = Array.from({ length: 5 }, () => new Watcher({}, () => {}));
  for (const w of watchers) await w.add(root);
  assert.equal(anonFds('inotify'), before[0]! + 5);
  for (const w of watchers) w.close();
  assert.deepEqual([anonFds('inotify'), anonFds('[eventfd]')], before);
});

test('a closed watcher is inert and pending requests settle', async (t) => {
  const root = tempDir(t);
  const w = new Watcher({}, () => {});
  const adding = w.add(root);
  w.close();
  await assert.rejects(adding, /closed/);
  await w.flush(); // resolves at once
  await assert.rejects(w.add(root), /closed/);
  w.close(); // idempotent
  assert.equal(w.stats().watches, 0);
});
