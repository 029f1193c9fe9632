// default.rsync end to end: real inotify, the real engine, real rsync to a local target.
// Startup order (docs/lsyncd-compat.md#startup-order), event batches (docs/lsyncd-compat.md#rsync-command-lines), delete modes, excludes, and one failing sync not
// taking the others down.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { compareTrees } from '../helpers/compare_trees.js';
import { startEngine } from '../helpers/engine_harness.js';
import { tempDir } from '../helpers/temp_tree.js';
import { waitFor } from '../helpers/wait_for.js';
import { watchedByThisProcess } from '../helpers/watch_table_check.js';

function rsyncSync(src: string, dst: string, extra: Record<string, unknown> = {}) {
  return { mode: 'rsync', source: src, target: dst, delay: 0, rsync: { archive: true }, ...extra };
}

test('init transfer, then live changes, mirror the source exactly', async (t) => {
  const src = tempDir(t);
  const dst = tempDir(t);
  mkdirSync(path.join(src, 'pre/deep'), { recursive: true });
  writeFileSync(path.join(src, 'pre/deep/f'), 'before start');
  writeFileSync(path.join(dst, 'stale'), 'deleted by the init transfer');
  const { engine, log } = await startEngine(t, { sync: [rsyncSync(src, dst)] });
  await engine.whenIdle();
  assert.deepEqual(compareTrees(src, dst), []);
  assert.ok(log.lines.some((l) => /Startup of .* finished/.test(l)));

  mkdirSync(path.join(src, 'a/b/c'), { recursive: true });
  writeFileSync(path.join(src, 'a/b/c/new'), 'x'.repeat(10_000));
  writeFileSync(path.join(src, 'sp ace -dash $(x) *?[]'), 'odd');
  symlinkSync('a/b', path.join(src, 'link'));
  chmodSync(path.join(src, 'pre/deep/f'), 0o600);
  renameSync(path.join(src, 'pre'), path.join(src, 'moved'));
  await engine.whenIdle();
  assert.deepEqual(compareTrees(src, dst), []);

  rmSync(path.join(src, 'a'), { recursive: true });
  writeFileSync(path.join(src, 'moved/deep/f'), 'rewritten');
  await engine.whenIdle();
  assert.deepEqual(compareTrees(src, dst), []);
});

test('events during the init transfer run after it', async (t) => {
  const src = tempDir(t);
  const dst = tempDir(t);
  for (let i = 0; i < 200; i++) writeFileSync(path.join(src, `f${i}`), 'x'.repeat(5000));
  const { engine } = await startEngine(t, { sync: [rsyncSync(src, dst)] });
  // Changes right after start() race the init rsync; they must all arrive.
  for (let i = 0; i < 50; i++) writeFileSync(path.join(src, `late${i}`), 'y');
  rmSync(path.join(src, 'f0'));
  await engine.whenIdle();
  assert.deepEqual(compareTrees(src, dst), []);
});

test('excludes: excluded paths never reach the target, at init or later', async (t) => {
  const src = tempDir(t);
  const dst = tempDir(t);
  // lsyncd tests/exclude-rsync.lua layout
  mkdirSync(path.join(src, 'd'));
  for (const f of ['erf', 'eaf', 'erd', 'ead', 'd/erf', 'd/eaf', 'd/erd', 'd/ead']) writeFileSync(path.join(src, f), f);
  const { engine } = await startEngine(t, { sync: [rsyncSync(src, dst, { exclude: ['erf', '/eaf', 'erd/', '/ead/'] })] });
  await engine.whenIdle();
  const present = (f: string) => existsSync(path.join(dst, f));
  assert.deepEqual(
    ['erf', 'eaf', 'erd', 'ead', 'd/erf', 'd/eaf', 'd/erd', 'd/ead'].map(present),
    [false, false, true, true, false, true, true, true],
  );
  // Phase 2 of the lsyncd test: delete everything, deletions propagate.
  for (const f of ['erf', 'eaf', 'erd', 'ead', 'd']) rmSync(path.join(src, f), { recursive: true });
  await engine.whenIdle();
  assert.deepEqual(compareTrees(src, dst), []);
  // Phase 3: recreate; excluded again.
  mkdirSync(path.join(src, 'd'));
  for (const f of ['erf', 'eaf', 'erd', 'ead', 'd/erf', 'd/eaf', 'd/erd', 'd/ead']) writeFileSync(path.join(src, f), f);
  await engine.whenIdle();
  assert.deepEqual(
    ['erf', 'eaf', 'erd', 'ead', 'd/erf', 'd/eaf', 'd/erd', 'd/ead'].map(present),
    [false, false, true, true, false, true, true, true],
  );
});

test('filters: first match wins (lsyncd tests/filter-rsync.lua)', async (t) => {
  const src = tempDir(t);
  const dst = tempDir(t);
  const make = () => {
    mkdirSync(path.join(src, 'abx'), { recursive: true });
    mkdirSync(path.join(src, 'acx'), { recursive: true });
    for (const f of ['abc', 'acc', 'baa', 'abx/a', 'acx/x']) writeFileSync(path.join(src, f), f);
  };
  make();
  const { engine } = await startEngine(t, { sync: [rsyncSync(src, dst, { filter: ['- /ab**', '+ /a**', '- /**'] })] });
  await engine.whenIdle();
  const onTarget = () => ['abc', 'acc', 'baa', 'abx/a', 'acx/x'].filter((f) => existsSync(path.join(dst, f)));
  assert.deepEqual(onTarget(), ['acc', 'acx/x']);
  for (const f of ['abc', 'acc', 'baa', 'abx', 'acx']) rmSync(path.join(src, f), { recursive: true });
  await engine.whenIdle();
  assert.deepEqual(onTarget(), []);
  make();
  await engine.whenIdle();
  assert.deepEqual(onTarget(), ['acc', 'acx/x']);
});

test('delete = false keeps files on the target', async (t) => {
  const src = tempDir(t);
  const dst = tempDir(t);
  writeFileSync(path.join(dst, 'only-on-target'), 'keep');
  writeFileSync(path.join(src, 'f'), 'x');
  const { engine } = await startEngine(t, { sync: [rsyncSync(src, dst, { delete: false })] });
  await engine.whenIdle();
  rmSync(path.join(src, 'f'));
  await engine.whenIdle();
  assert.ok(existsSync(path.join(dst, 'only-on-target')));
  assert.ok(existsSync(path.join(dst, 'f')));
});

// delete = true | 'startup' | 'running' | false: which of the init transfer and the event
// batches delete on the target (docs/lsyncd-compat.md#sync-keys).
for (const [mode, onInit, onEvents] of [[true, true, true], ['startup', true, false], ['running', false, true], [false, false, false]] as const) {
  test(`delete = ${JSON.stringify(mode)}: init ${onInit ? 'deletes' : 'keeps'} target-only files, events ${onEvents ? 'delete' : 'keep'}`, async (t) => {
    const src = tempDir(t);
    const dst = tempDir(t);
    writeFileSync(path.join(dst, 'only-on-target'), 'x');
    writeFileSync(path.join(src, 'f'), 'x');
    mkdirSync(path.join(src, 'd/e'), { recursive: true });
    writeFileSync(path.join(src, 'd/e/g'), 'x');
    const { engine } = await startEngine(t, { sync: [rsyncSync(src, dst, { delete: mode })] });
    await engine.whenIdle();
    assert.equal(existsSync(path.join(dst, 'only-on-target')), !onInit);
    assert.ok(existsSync(path.join(dst, 'd/e/g')));
    rmSync(path.join(src, 'f'));
    rmSync(path.join(src, 'd'), { recursive: true });
    writeFileSync(path.join(src, 'new'), 'y'); // the batch still runs, whatever it may delete
    await engine.whenIdle();
    assert.ok(existsSync(path.join(dst, 'new')));
    assert.equal(existsSync(path.join(dst, 'f')), !onEvents);
    assert.equal(existsSync(path.join(dst, 'd')), !onEvents);
  });
}

test('init = false: no startup transfer, live changes still mirrored', async (t) => {
  const src = tempDir(t);
  const dst = tempDir(t);
  writeFileSync(path.join(src, 'before-start'), 'x');
  writeFileSync(path.join(dst, 'only-on-target'), 'kept: no init transfer deletes it');
  const { engine, log } = await startEngine(t, { sync: [rsyncSync(src, dst, { init: false })] });
  await engine.whenIdle();
  assert.equal(log.lines.some((l) => /recursive startup rsync/.test(l)), false);
  assert.equal(existsSync(path.join(dst, 'before-start')), false);
  mkdirSync(path.join(src, 'live'));
  writeFileSync(path.join(src, 'live/f'), 'y');
  await engine.whenIdle();
  assert.ok(existsSync(path.join(dst, 'live/f')));
  assert.ok(existsSync(path.join(dst, 'only-on-target')));
  assert.equal(existsSync(path.join(dst, 'before-start')), false);
  assert.equal(engine.status()[0]!.state, 'running');
});

test('init = false: changes made while the initial walk runs are not dropped', async (t) => {
  const src = tempDir(t);
  const dst = tempDir(t);
  for (let i = 0; i < 200; i++) for (let j = 0; j < 100; j++) mkdirSync(path.join(src, `d${i}`, `e${j}`), { recursive: true });
  // Numbered files, one per tick, from before start() until after it resolved; `watchedAt` is
  // the first file written once the root's inotify watch existed (seen in /proc/self/fdinfo;
  // the engine runs in this process). Every file from there on has an event.
  let n = 0;
  let watchedAt = -1;
  const timer = setInterval(() => {
    if (watchedAt < 0 && watchedByThisProcess(src)) watchedAt = n;
    writeFileSync(path.join(src, `f${n}`), String(n++));
  }, 1);
  t.after(() => clearInterval(timer));
  const { engine } = await startEngine(t, { sync: [rsyncSync(src, dst, { init: false })] });
  const atStart = n;
  await waitFor(() => n >= atStart + 20, 'writes after start-up');
  clearInterval(timer);
  await engine.whenIdle();
  // Not vacuous: files were written between the root watch and the end of the walk, which is
  // when the watcher hands over batches that the engine used to drop.
  assert.ok(watchedAt >= 0 && watchedAt < atStart, `root watched at f${watchedAt}, start() resolved at f${atStart}`);
  const missing = Array.from({ length: n - watchedAt }, (_, k) => watchedAt + k).filter((i) => !existsSync(path.join(dst, `f${i}`)));
  assert.deepEqual(missing, [], `root watched at f${watchedAt}, start() resolved at f${atStart}`);
});

test('copying populated trees in (lsyncd tests/l4rsyncdata.lua)', async (t) => {
  const src = tempDir(t);
  const dst = tempDir(t);
  const outside = tempDir(t);
  mkdirSync(path.join(outside, 'd/e'), { recursive: true });
  writeFileSync(path.join(outside, 'd/e/f1'), 'data');
  const { engine } = await startEngine(t, { sync: [rsyncSync(src, dst)] });
  const { execFileSync } = await import('node:child_process');
  for (let i = 1; i <= 5; i++) execFileSync('cp', ['-r', path.join(outside, 'd'), path.join(src, `d${i}`)]);
  renameSync(path.join(outside, 'd'), path.join(src, 'moved-in'));
  await engine.whenIdle();
  assert.deepEqual(compareTrees(src, dst), []);
});

test('a failing sync stops alone; the other sync keeps mirroring', async (t) => {
  const src = tempDir(t);
  const good = tempDir(t);
  const { engine, log } = await startEngine(t, {
    sync: [
      rsyncSync(src, good, { name: 'good' }),
      // rsync exits 1 (syntax/usage) for an unknown option: "die" in lsyncd's table.
      rsyncSync(src, tempDir(t), { name: 'broken', rsync: { archive: true, _extra: ['--no-such-option'] } }),
    ],
  });
  await engine.whenIdle();
  writeFileSync(path.join(src, 'after'), 'x');
  await engine.whenIdle();
  const states = Object.fromEntries(engine.status().map((s) => [s.name, s.state]));
  assert.deepEqual(states, { good: 'running', broken: 'dead' });
  assert.deepEqual(compareTrees(src, good), []);
  assert.ok(log.lines.some((l) => /broken: stopped: .*exited with code 1.*Other syncs keep running/.test(l)), log.lines.join('\n'));
});
