// HUP reload through the real binary (lsyncd's HUP is "an almost restart", lsyncd#580):
// an invalid config keeps the running one; a valid one applies only the difference — unchanged
// syncs keep their queues and do not resync (counted by "recursive startup rsync" lines), new
// and changed syncs start with their init transfer, removed ones stop; a reload under a
// continuous stream of writes loses nothing (trees compared byte for byte).
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { compareTrees } from '../helpers/compare_trees.js';
import { tempDir } from '../helpers/temp_tree.js';
import { fileHas, startBin, waitFor, writeConfig, type Running, type SyncSpec } from './daemon_harness.js';

function syncDirs(root: string, name: string): SyncSpec {
  const source = path.join(root, `${name}-src`);
  const target = path.join(root, `${name}-dst`);
  mkdirSync(source, { recursive: true });
  mkdirSync(target, { recursive: true });
  return { name, source, target };
}

const initLines = (d: Running, s: SyncSpec): number =>
  d.count(new RegExp(`recursive startup rsync: ${s.source.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/ ->`));

test('HUP with an invalid config keeps the running configuration; a valid one afterwards applies', async (t) => {
  const root = tempDir(t);
  const a = syncDirs(root, 'a');
  const conf = path.join(root, 'lsyncd-ts.json');
  writeConfig(conf, [a]);
  const d = startBin(t, ['run', conf, '--nodaemon']);
  await waitFor(() => /Startup of .* finished/.test(d.output()), 'start-up');
  writeFileSync(conf, '{ "sync": [ { "mode": "rsync", "source": ');
  d.child.kill('SIGHUP');
  await waitFor(() => /reload: the config is invalid; keeping the running configuration/.test(d.output()), 'the rejected reload');
  assert.equal(d.child.exitCode, null);
  writeFileSync(path.join(a.source, 'after-bad-hup'), 'x');
  await waitFor(() => fileHas(path.join(a.target, 'after-bad-hup'), 'x'), 'mirroring to go on');
  // A config that validates but cannot start (missing source) is rejected as a whole, too.
  writeConfig(conf, [a, { name: 'ghost', source: path.join(root, 'missing'), target: path.join(root, 'g') }]);
  d.child.kill('SIGHUP');
  await waitFor(() => /reload: ghost: Cannot access source directory: .*; keeping the running configuration/.test(d.output()), 'the failed reload');
  writeConfig(conf, [a]);
  d.child.kill('SIGHUP');
  await waitFor(() => /--- reload done ---/.test(d.output()), 'the good reload');
  assert.match(d.output(), /reload: a: unchanged \(keeps its queue, no resync\)/);
  assert.equal(initLines(d, a), 1);
  d.child.kill('SIGTERM');
  assert.equal(await d.exited, 143);
});

test('HUP with a changed config: unchanged sync kept, changed and new ones start with init, removed one stops', async (t) => {
  const root = tempDir(t);
  const a = syncDirs(root, 'a'); // unchanged
  const b = syncDirs(root, 'b'); // removed
  const c = syncDirs(root, 'c'); // new
  const dd = syncDirs(root, 'd'); // changed (delay)
  const conf = path.join(root, 'lsyncd-ts.json');
  writeConfig(conf, [a, b, dd]);
  const d = startBin(t, ['run', conf, '--nodaemon']);
  await waitFor(() => d.count(/Startup of .* finished/) === 3, 'three syncs started');
  writeFileSync(path.join(c.source, 'for-c'), 'c');
  // a sits in the middle now, and d's delay changes: a is still "unchanged" (position ignored)
  writeConfig(conf, [c, a, { ...dd, delay: 1 }]);
  d.child.kill('SIGHUP');
  await waitFor(() => /--- reload done ---/.test(d.output()), 'the reload');
  await waitFor(() => fileHas(path.join(c.target, 'for-c'), 'c'), 'the new sync\'s init transfer');
  await waitFor(() => initLines(d, dd) === 2, 'the changed sync\'s init transfer');
  assert.equal(initLines(d, a), 1, 'the unchanged sync must not resync');
  assert.equal(initLines(d, b), 1);
  assert.equal(initLines(d, c), 1);
  const out = d.output();
  assert.match(out, /reload: a: unchanged/);
  assert.match(out, /reload: b: removed: stopping/);
  assert.match(out, /reload: c: new: starting with its init transfer/);
  assert.match(out, /reload: d: changed: starting with its init transfer/);
  // the removed sync no longer mirrors; the kept one does (written in that order)
  writeFileSync(path.join(b.source, 'late-b'), 'b');
  writeFileSync(path.join(a.source, 'late-a'), 'a');
  writeFileSync(path.join(c.source, 'late-c'), 'c');
  await waitFor(() => fileHas(path.join(a.target, 'late-a'), 'a') && fileHas(path.join(c.target, 'late-c'), 'c'), 'kept and new syncs mirroring');
  assert.equal(fileHas(path.join(b.target, 'late-b'), 'b'), false, 'a removed sync must not transfer');
  d.child.kill('SIGTERM');
  assert.equal(await d.exited, 143);
});

test('a reload under continuous writes loses nothing and does not resync the unchanged sync', async (t) => {
  const root = tempDir(t);
  const a = syncDirs(root, 'a');
  const x = syncDirs(root, 'x');
  const conf = path.join(root, 'lsyncd-ts.json');
  writeConfig(conf, [a]);
  const d = startBin(t, ['run', conf, '--nodaemon']);
  await waitFor(() => /Startup of .* finished/.test(d.output()), 'start-up');
  let writing = true;
  let n = 0;
  const writer = (async () => {
    while (writing) {
      const dir = path.join(a.source, `d${n % 7}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, `f${n}`), `content ${n}\n`.repeat(1 + (n % 50)));
      if (n % 5 === 4) writeFileSync(path.join(dir, `f${n - 2}`), `rewritten ${n}\n`);
      if (n % 11 === 10) renameSync(path.join(dir, `f${n - 7}`), path.join(dir, `moved${n}`));
      if (n % 13 === 12) rmSync(path.join(a.source, `d${(n - 12) % 7}`, `f${n - 12}`), { force: true });
      n++;
      await new Promise((r) => setImmediate(r));
    }
  })();
  const reloads = 8;
  for (let i = 1; i <= reloads; i++) {
    writeConfig(conf, i % 2 === 1 ? [a, x] : [a]);
    d.child.kill('SIGHUP');
    await waitFor(() => d.count(/--- reload done ---/) === i, `reload ${i}`);
  }
  writing = false;
  await writer;
  assert.ok(n > 100, `the writer made ${n} changes`);
  let diff: string[] = [];
  await waitFor(() => (diff = compareTrees(a.source, a.target, { modes: false })).length === 0, 'the target to converge', 60_000).catch((e: Error) => {
    throw new Error(`${e.message}: ${diff.slice(0, 10).join('; ')}`);
  });
  assert.equal(initLines(d, a), 1, 'the unchanged sync never resynced: its queue carried every change across the reloads');
  assert.equal(initLines(d, x), reloads / 2, 'the toggled sync started with its init transfer each time it came back');
  d.child.kill('SIGTERM');
  assert.equal(await d.exited, 143);
});

test('pending changes survive a reload: an unchanged sync keeps its queued delay, a changed one catches up through its init', async (t) => {
  const root = tempDir(t);
  const keep = { ...syncDirs(root, 'keep'), delay: 2 };
  const slow = { ...syncDirs(root, 'slow'), delay: 3600 };
  const conf = path.join(root, 'lsyncd-ts.json');
  writeConfig(conf, [keep, slow]);
  const d = startBin(t, ['run', conf, '--nodaemon', '--log', 'Delay']);
  await waitFor(() => d.count(/Startup of .* finished/) === 2, 'start-up');
  writeFileSync(path.join(keep.source, 'queued'), 'k');
  writeFileSync(path.join(slow.source, 'stuck'), 's');
  await waitFor(() => d.count(/Delay: Create \/queued/) === 1 && d.count(/Delay: Create \/stuck/) === 1, 'both changes queued');
  // keep is unchanged; slow gets a short delay: its queued change must not be lost with its old queue
  writeConfig(conf, [keep, { ...slow, delay: 0 }]);
  d.child.kill('SIGHUP');
  await waitFor(() => /--- reload done ---/.test(d.output()), 'the reload');
  await waitFor(() => fileHas(path.join(slow.target, 'stuck'), 's'), 'the changed sync to deliver what its old version had queued');
  await waitFor(() => fileHas(path.join(keep.target, 'queued'), 'k'), 'the kept sync to deliver its queued change');
  assert.equal(initLines(d, keep), 1, 'kept: no resync, the queued change went through the kept queue');
  assert.equal(initLines(d, slow), 2);
  d.child.kill('SIGTERM');
  assert.equal(await d.exited, 143);
});
