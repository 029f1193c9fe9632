// Shared watches through the real engine, real inotify and real rsync: syncs on one source hold
// one watch per directory in one inotify instance (counted by the kernel, /proc/self/fdinfo),
// whatever the number of targets; excludes that differ between them still drop exactly what each
// excludes; a reload adding or removing a target neither walks the tree again nor disturbs the
// others; a nested source still works (in an instance of its own).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test, { type TestContext } from 'node:test';

import { loadConfigText } from '../../src/config/load_config.js';
import type { Engine } from '../../src/engine/engine.js';
import { statusJson } from '../../src/status/render_json.js';
import { renderStatusText } from '../../src/status/render_text.js';
import { compareTrees } from '../helpers/compare_trees.js';
import { startEngine } from '../helpers/engine_harness.js';
import { tempDir } from '../helpers/temp_tree.js';
import { waitFor } from '../helpers/wait_for.js';

/** Inotify instances of this process and the watches they hold, as the kernel lists them. */
function kernelWatches(): { instances: number; watches: number } {
  let instances = 0;
  let watches = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    let link: string;
    try {
      link = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue;
    }
    if (link !== 'anon_inode:inotify') continue;
    instances++;
    watches += readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').split('\n').filter((l) => l.startsWith('inotify wd:')).length;
  }
  return { instances, watches };
}

/** A source with `n` directories in all (the root included), each with one file. */
function tree(t: TestContext, n: number): string {
  const src = tempDir(t);
  writeFileSync(path.join(src, 'top'), 'root file');
  for (let i = 1; i < n; i++) {
    const d = i < 10 ? path.join(src, `d${i}`) : path.join(src, `d${1 + (i % 9)}`, `e${i}`);
    mkdirSync(d, { recursive: true });
    writeFileSync(path.join(d, 'f'), `file ${i}`);
  }
  return src;
}

function reloadTo(engine: Engine, config: unknown) {
  const next = loadConfigText('test-config.json', JSON.stringify(config), 'json');
  assert.ok(next.ok, next.ok ? '' : next.errors.map((e) => e.text).join('\n'));
  return engine.reload(next.config);
}

test('8 targets on one source: one inotify instance, one watch per directory; a new file reaches all 8', async (t) => {
  const src = tree(t, 60);
  const targets = Array.from({ length: 8 }, () => tempDir(t));
  const before = kernelWatches();
  const { engine } = await startEngine(t, { sync: [{ mode: 'rsync', source: src, target: targets, delay: 0 }] });
  await engine.whenIdle();
  const held = kernelWatches();
  assert.equal(held.instances - before.instances, 1, 'one inotify instance for all 8 syncs');
  assert.equal(held.watches - before.watches, 60, 'one watch per directory, not one per directory and target');
  assert.deepEqual(engine.watcherStats(), { watches: 60, overflows: 0, instances: 1 });
  for (const s of engine.snapshot()) assert.equal(s.watchedDirs, 60, s.status.name);
  assert.equal(statusJson(engine.snapshot()).watchedDirs, 60, 'the status total counts the shared watches once');
  assert.match(renderStatusText(engine.snapshot()), /^Inotify watching 60 directories$/m);

  mkdirSync(path.join(src, 'd3', 'fresh'));
  writeFileSync(path.join(src, 'd3', 'fresh', 'new'), 'written while running');
  await engine.whenIdle();
  for (const dst of targets) assert.deepEqual(compareTrees(src, dst), [], dst);
  assert.equal(kernelWatches().watches - before.watches, 61, 'the new directory is watched once');
});

test('different excludes on one source: each sync drops only what it excludes; a directory is unwatched only when all exclude it', async (t) => {
  const src = tempDir(t);
  for (const d of ['cache', 'logs', 'junk', 'www']) mkdirSync(path.join(src, d));
  const [a, b] = [tempDir(t), tempDir(t)];
  const before = kernelWatches();
  const { engine } = await startEngine(t, {
    sync: [
      { mode: 'rsync', name: 'a', source: src, target: a, delay: 0, exclude: ['/cache/', '/junk/'] },
      { mode: 'rsync', name: 'b', source: src, target: b, delay: 0, exclude: ['/logs/', '/junk/', '*.tmp'] },
    ],
  });
  await engine.whenIdle();
  const held = kernelWatches();
  assert.equal(held.instances - before.instances, 1);
  // root, cache (b needs it), logs (a needs it), www; junk is excluded by both
  assert.equal(held.watches - before.watches, 4);

  for (const d of ['cache', 'logs', 'junk', 'www']) writeFileSync(path.join(src, d, 'x'), d);
  writeFileSync(path.join(src, 'www', 'page.tmp'), 'temporary');
  await engine.whenIdle();
  assert.ok(!existsSync(path.join(a, 'cache', 'x')) && !existsSync(path.join(a, 'junk', 'x')), 'a excludes cache and junk');
  assert.equal(readFileSync(path.join(a, 'logs', 'x'), 'utf8'), 'logs');
  assert.equal(readFileSync(path.join(a, 'www', 'page.tmp'), 'utf8'), 'temporary', 'a does not exclude *.tmp');
  assert.ok(!existsSync(path.join(b, 'logs', 'x')) && !existsSync(path.join(b, 'junk', 'x')), 'b excludes logs and junk');
  assert.ok(!existsSync(path.join(b, 'www', 'page.tmp')), 'b excludes *.tmp');
  assert.equal(readFileSync(path.join(b, 'cache', 'x'), 'utf8'), 'cache');
  assert.equal(readFileSync(path.join(a, 'www', 'x'), 'utf8'), 'www');
  assert.equal(readFileSync(path.join(b, 'www', 'x'), 'utf8'), 'www');
});

test('a reload adding a target neither walks the tree again nor disturbs the running targets; removing one leaves the watches', async (t) => {
  const src = tree(t, 30);
  const targets = [tempDir(t), tempDir(t)];
  const config = (list: string[]): unknown => ({ sync: [{ mode: 'rsync', name: 'www', source: src, target: list, delay: 0 }] });
  let adds = 0;
  const { engine, watchers } = await startEngine(t, config(targets));
  await engine.whenIdle();
  const [w] = watchers;
  assert.ok(w);
  const realAdd = w.add.bind(w);
  w.add = (root, rules) => {
    adds++;
    return realAdd(root, rules);
  };
  const okBefore = engine.status().map((s) => s.transfersOk);
  const watchesBefore = kernelWatches();

  const third = tempDir(t);
  const report = await reloadTo(engine, config([...targets, third]));
  assert.deepEqual(report.started, [`www@${third}`]);
  await engine.whenIdle();
  assert.equal(adds, 0, 'no root was added (no walk) for the new target');
  assert.equal(watchers.length, 1, 'no new watcher');
  assert.deepEqual(kernelWatches(), watchesBefore, 'the same watches');
  assert.deepEqual(compareTrees(src, third), [], 'the new target got its init transfer');
  assert.deepEqual(engine.status().slice(0, 2).map((s) => s.transfersOk), okBefore, 'the running targets did not transfer again');

  writeFileSync(path.join(src, 'after-add'), 'x');
  await engine.whenIdle();
  for (const dst of [...targets, third]) assert.deepEqual(compareTrees(src, dst), [], dst);

  await reloadTo(engine, config([targets[0]!, third]));
  await engine.whenIdle();
  assert.deepEqual(kernelWatches(), watchesBefore, 'removing a target keeps the shared watches');
  writeFileSync(path.join(src, 'after-remove'), 'y');
  await engine.whenIdle();
  for (const dst of [targets[0]!, third]) assert.equal(readFileSync(path.join(dst, 'after-remove'), 'utf8'), 'y', dst);
  assert.ok(!existsSync(path.join(targets[1]!, 'after-remove')), 'the removed target gets nothing');

  await reloadTo(engine, { sync: [{ mode: 'rsync', name: 'other', source: tempDir(t), target: tempDir(t), delay: 0 }] });
  await engine.whenIdle();
  await engine.flushWatchers();
  assert.equal(kernelWatches().watches, watchesBefore.watches - 30 + 1, 'the last sync of a source gone: its watches are removed');
});

test('a nested source shares the outer root: one instance, its own excludes, moves across its boundary, its removal and return', async (t) => {
  const src = tree(t, 12);
  const inner = path.join(src, 'd1');
  mkdirSync(path.join(inner, 'cache'));
  const [a, b, c] = [tempDir(t), tempDir(t), tempDir(t)];
  const before = kernelWatches();
  const { engine, log } = await startEngine(t, {
    sync: [
      // the inner sync comes first in the config: it still joins the outer root
      { mode: 'rsync', name: 'inner', source: inner, target: c, delay: 0, exclude: ['cache/'] },
      { mode: 'rsync', name: 'outer', source: src, target: [a, b], delay: 0, exclude: ['/d2/'] },
    ],
  });
  await engine.whenIdle();
  assert.equal(engine.watcherStats().instances, 1, 'the nested source shares the outer instance');
  // 13 directories (tree + d1/cache) less d2 and its subdirectory d2/e10, which only the outer
  // sync could want and it excludes them.
  assert.equal(kernelWatches().watches - before.watches, 13 - 2);
  const json = statusJson(engine.snapshot());
  assert.equal(json.watchedDirs, 11, 'the nested sync shares the outer root: counted once');

  writeFileSync(path.join(inner, 'both'), 'seen by outer and inner');
  writeFileSync(path.join(inner, 'cache', 'c1'), 'inner excludes cache/');
  await engine.whenIdle();
  assert.equal(readFileSync(path.join(c, 'both'), 'utf8'), 'seen by outer and inner');
  assert.ok(!existsSync(path.join(c, 'cache', 'c1')), 'the inner sync drops what it excludes');
  for (const dst of [a, b]) {
    assert.equal(readFileSync(path.join(dst, 'd1', 'both'), 'utf8'), 'seen by outer and inner');
    assert.equal(readFileSync(path.join(dst, 'd1', 'cache', 'c1'), 'utf8'), 'inner excludes cache/', 'outer does not exclude it');
  }

  // Out of the inner source (a Delete there), and in from outside it (a Create there).
  renameSync(path.join(inner, 'both'), path.join(src, 'moved-out'));
  renameSync(path.join(src, 'top'), path.join(inner, 'moved-in'));
  await engine.whenIdle();
  assert.ok(!existsSync(path.join(c, 'both')), 'moved out of the inner source: deleted on its target');
  assert.equal(readFileSync(path.join(c, 'moved-in'), 'utf8'), 'root file');
  for (const dst of [a, b]) assert.deepEqual(compareTrees(src, dst, { ignore: (rel) => /^\/?d2(\/|$)/.test(rel) }), [], dst);

  // The inner source goes away: only the inner sync pauses; it resyncs once it is back.
  const aside = path.join(src, 'aside');
  renameSync(inner, aside);
  await waitFor(() => engine.status()[0]!.state === 'source-gone', 'the inner sync sees its source gone');
  assert.deepEqual(engine.status().slice(1).map((s) => s.state), ['running', 'running']);
  mkdirSync(inner);
  writeFileSync(path.join(inner, 'reborn'), 'new inner tree');
  await waitFor(() => engine.status()[0]!.state === 'running', 'the inner sync runs again');
  await engine.whenIdle();
  assert.deepEqual(compareTrees(inner, c), [], 'the inner target was resynced');
  assert.ok(log.lines.some((l) => /inner: source .* is back; resyncing/.test(l)));
});

test('a source that vanishes and returns pauses and resyncs every sync on it', async (t) => {
  const src = tree(t, 5);
  const [a, b] = [tempDir(t), tempDir(t)];
  const { engine } = await startEngine(t, { sync: [{ mode: 'rsync', source: src, target: [a, b], delay: 0 }] });
  await engine.whenIdle();
  const aside = `${src}.aside`;
  renameSync(src, aside);
  t.after(() => rmSync(aside, { recursive: true, force: true }));
  await waitFor(() => engine.status().every((s) => s.state === 'source-gone'), 'both syncs see the source gone');
  mkdirSync(src);
  writeFileSync(path.join(src, 'reborn'), 'new tree');
  await waitFor(() => engine.status().every((s) => s.state === 'running'), 'every sync running again');
  await engine.whenIdle();
  for (const dst of [a, b]) assert.deepEqual(compareTrees(src, dst), [], dst);
  writeFileSync(path.join(src, 'later'), 'after the return');
  await engine.whenIdle();
  for (const dst of [a, b]) assert.equal(readFileSync(path.join(dst, 'later'), 'utf8'), 'after the return', dst);
});
