// The mass-delete guard (src/engine/delete_guard.ts) through real inotify, the real engine and
// the real transports, in all three modes (rsync and direct to a local target, rsyncssh through
// the loopback sshd): a real `rm -rf src/*` holds every delete while new files keep arriving,
// status/JSON/metrics//healthz show it, release applies the deletes; deleting one directory
// among many does not hold; restoring the source ends the hold; an empty source at start-up
// over a non-empty target is held.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import type { Engine } from '../../src/engine/engine.js';
import { healthReport } from '../../src/metrics/metrics_server.js';
import { renderMetrics } from '../../src/metrics/prometheus.js';
import { statusJson } from '../../src/status/render_json.js';
import { renderStatusText } from '../../src/status/render_text.js';
import { compareTrees } from '../helpers/compare_trees.js';
import { startEngine } from '../helpers/engine_harness.js';
import { modeSync, SYNC_MODES } from '../helpers/mode_sync.js';
import { tempDir } from '../helpers/temp_tree.js';
import { waitFor } from '../helpers/wait_for.js';

/** `dirs` directories of `files` files each: dirs × (files + 1) entries. */
function makeTree(root: string, dirs: number, files: number): number {
  for (let d = 0; d < dirs; d++) {
    mkdirSync(path.join(root, `d${d}`));
    for (let f = 0; f < files; f++) writeFileSync(path.join(root, `d${d}`, `f${f}`), `content ${d}/${f}`);
  }
  return dirs * (files + 1);
}

/** Entries below `root`, recursively. */
function countEntries(root: string): number {
  let n = 0;
  for (const e of readdirSync(root, { withFileTypes: true })) {
    n++;
    if (e.isDirectory()) n += countEntries(path.join(root, e.name));
  }
  return n;
}

/** A real `rm -rf SRC/*` (the shell expands the glob, as an operator's would). */
function rmRfContents(dir: string): void {
  const r = spawnSync('sh', ['-c', 'rm -rf -- "$1"/*', 'sh', dir]);
  assert.equal(r.status, 0, r.stderr.toString());
}

const hold = (e: Engine) => e.status()[0]!.deleteHold;

for (const mode of SYNC_MODES) {
  test(`${mode}: rm -rf src/* is held, creates keep flowing, release applies the deletes`, async (t) => {
    const src = tempDir(t);
    const dst = tempDir(t);
    const entries = makeTree(src, 6, 15);
    const { engine, log } = await startEngine(t, { sync: [await modeSync(t, mode, src, dst, { name: 'guarded', delay: 0.5, rsync: { archive: true } })] });
    await engine.whenIdle();
    assert.deepEqual(compareTrees(src, dst), [], 'after the init transfer');

    rmRfContents(src);
    writeFileSync(path.join(src, 'made-during-the-hold'), 'new');
    await waitFor(() => hold(engine) !== undefined, 'the hold');
    await waitFor(() => existsSync(path.join(dst, 'made-during-the-hold')), 'the new file on the target');
    await engine.whenIdle();
    assert.equal(countEntries(dst), entries + 1, 'nothing was deleted on the target');
    assert.equal(hold(engine)!.deletes, entries);

    // Every renderer shows it, and it is logged at the default level with the release command.
    const snap = engine.snapshot();
    const json = statusJson(snap);
    assert.equal(json.syncs[0]!.deleteHold!.deletes, entries);
    assert.equal(json.syncs[0]!.healthy, false);
    assert.match(json.syncs[0]!.reason, /mass-delete guard/);
    const health = healthReport(snap);
    assert.equal(health.status, 503);
    assert.match(health.body, /^guarded: held by the mass-delete guard/);
    assert.match(renderStatusText(snap), new RegExp(`^Delete guard: holding ${entries} deletes since `, 'm'));
    const metrics = renderMetrics(snap, { rssBytes: 1, startTimeSeconds: 1 });
    assert.match(metrics, /^lsyncd_ts_sync_delete_hold\{sync="guarded"\} 1$/m);
    assert.match(metrics, new RegExp(`^lsyncd_ts_sync_held_deletes\\{sync="guarded"\\} ${entries}$`, 'm'));
    assert.equal(log.lines.filter((l) => /mass-delete guard: holding/.test(l)).length, 1, log.lines.join('\n'));
    assert.ok(log.lines.some((l) => /WARN|warn/i.test(l) && /lsyncd-ts release CONFIG guarded/.test(l)), 'warn line with the release command');

    // More deletes during the hold are held too.
    const more = path.join(src, 'made-during-the-hold');
    spawnSync('rm', ['-f', more]);
    await waitFor(() => hold(engine)?.deletes === entries + 1, 'the later delete held too');
    assert.ok(existsSync(path.join(dst, 'made-during-the-hold')));

    assert.deepEqual(engine.releaseHeld(), [{ name: 'guarded', deletes: entries + 1 }]);
    await waitFor(() => hold(engine) === undefined, 'the hold to end');
    await engine.whenIdle();
    assert.deepEqual(compareTrees(src, dst), [], 'the deletes were applied on release');
    assert.equal(countEntries(dst), 0);
    assert.equal(healthReport(engine.snapshot()).status, 200);
  });
}

test('rsync: deleting one directory among many does not hold', async (t) => {
  const src = tempDir(t);
  const dst = tempDir(t);
  makeTree(src, 10, 30);
  const { engine, log } = await startEngine(t, { sync: [{ mode: 'rsync', source: src, target: dst, delay: 0.5, rsync: { archive: true } }] });
  await engine.whenIdle();
  // 62 entries (above the minimum of 50), a fifth of the tree.
  spawnSync('rm', ['-rf', path.join(src, 'd3'), path.join(src, 'd7')]);
  writeFileSync(path.join(src, 'd0', 'edited'), 'x');
  await engine.flushWatchers();
  await engine.whenIdle();
  assert.deepEqual(compareTrees(src, dst), []);
  assert.equal(hold(engine), undefined);
  assert.ok(!log.lines.some((l) => /mass-delete guard/.test(l)), log.lines.join('\n'));
});

test('rsync: the same deletion holds with a lower fraction (deleteGuard per sync)', async (t) => {
  const src = tempDir(t);
  const dst = tempDir(t);
  makeTree(src, 10, 30);
  const { engine } = await startEngine(t, {
    settings: { deleteGuard: { minimum: 1000 } },
    sync: [{ mode: 'rsync', source: src, target: dst, delay: 0.5, rsync: { archive: true }, deleteGuard: { fraction: 0.15, minimum: 40 } }],
  });
  await engine.whenIdle();
  spawnSync('rm', ['-rf', path.join(src, 'd3'), path.join(src, 'd7')]);
  await waitFor(() => hold(engine) !== undefined, 'the hold (62 of 310 entries ≥ 15 %)');
  assert.equal(hold(engine)!.deletes, 62);
  assert.ok(existsSync(path.join(dst, 'd3', 'f0')));
});

test('direct: restoring the source ends the hold by itself; nothing is deleted', async (t) => {
  const src = tempDir(t);
  const dst = tempDir(t);
  const backup = tempDir(t);
  makeTree(src, 5, 20);
  cpSync(src, backup, { recursive: true });
  const { engine, log } = await startEngine(t, { sync: [{ mode: 'direct', source: src, target: dst, delay: 0.5 }] });
  await engine.whenIdle();
  rmRfContents(src);
  await waitFor(() => hold(engine) !== undefined, 'the hold');
  spawnSync('cp', ['-a', `${backup}/.`, src]);
  await waitFor(() => hold(engine) === undefined, 'the hold to end as the paths come back');
  await engine.whenIdle();
  assert.deepEqual(compareTrees(src, dst), []);
  assert.ok(log.lines.some((l) => /every held path is back in the source; the hold has ended/.test(l)));
});

test('direct: partly restored, then released: only the paths still absent are deleted', async (t) => {
  const src = tempDir(t);
  const dst = tempDir(t);
  const backup = tempDir(t);
  makeTree(src, 4, 20);
  cpSync(src, backup, { recursive: true });
  const { engine } = await startEngine(t, { sync: [{ mode: 'direct', source: src, target: dst, delay: 0.5 }] });
  await engine.whenIdle();
  rmRfContents(src);
  await waitFor(() => hold(engine) !== undefined, 'the hold');
  // cp -a brings d2 back: its Create events drop its 21 held deletes.
  spawnSync('cp', ['-a', path.join(backup, 'd2'), src]);
  await engine.flushWatchers();
  await waitFor(() => hold(engine)?.deletes === 3 * 21, 'd2 dropped from the held deletes');
  engine.releaseHeld();
  await waitFor(() => hold(engine) === undefined, 'release');
  await engine.whenIdle();
  assert.deepEqual(compareTrees(src, dst), []);
  assert.deepEqual(readdirSync(dst), ['d2']);
});

for (const mode of SYNC_MODES) {
  test(`${mode}: an empty source at start-up over a non-empty target is held; release deletes`, async (t) => {
    const src = tempDir(t);
    const dst = tempDir(t);
    makeTree(dst, 2, 3);
    const { engine, log } = await startEngine(t, { sync: [await modeSync(t, mode, src, dst, { delay: 0.5, rsync: { archive: true } })] });
    await engine.whenIdle();
    assert.notEqual(hold(engine), undefined, log.lines.join('\n'));
    assert.match(hold(engine)!.reason, /the source is empty and the target is not/);
    assert.equal(countEntries(dst), 8, 'the init transfer deleted nothing');
    writeFileSync(path.join(src, 'new'), 'x');
    await waitFor(() => existsSync(path.join(dst, 'new')), 'a new file still arrives');
    engine.releaseHeld();
    await waitFor(() => hold(engine) === undefined, 'release');
    await engine.whenIdle();
    assert.deepEqual(compareTrees(src, dst), [], 'release ran the full transfer with --delete');
  });
}

test('deleteGuard = false: rm -rf src/* empties the target as before', async (t) => {
  const src = tempDir(t);
  const dst = tempDir(t);
  makeTree(src, 6, 15);
  const { engine } = await startEngine(t, { settings: { deleteGuard: false }, sync: [{ mode: 'direct', source: src, target: dst, delay: 0.5 }] });
  await engine.whenIdle();
  rmRfContents(src);
  await engine.flushWatchers();
  await engine.whenIdle();
  assert.deepEqual(readdirSync(dst), []);
  assert.equal(hold(engine), undefined);
});

test('rsync, short delay, larger tree: no batch of the wipe slips through before the verdict', async (t) => {
  const src = tempDir(t);
  const dst = tempDir(t);
  const entries = makeTree(src, 40, 60);
  const { engine } = await startEngine(t, { sync: [{ mode: 'rsync', source: src, target: dst, delay: 0.1, rsync: { archive: true } }] });
  await engine.whenIdle();
  rmRfContents(src);
  await waitFor(() => hold(engine) !== undefined, 'the hold');
  await engine.whenIdle();
  assert.equal(hold(engine)!.deletes, entries);
  assert.equal(countEntries(dst), entries, 'nothing was deleted on the target');
});

test('rsync: rm -rf that overflows the kernel queue: the full resync deletes nothing while held', { timeout: 120_000 }, async (t) => {
  const src = tempDir(t);
  const dst = tempDir(t);
  const maxQueued = Number(readFileSync('/proc/sys/fs/inotify/max_queued_events', 'utf8'));
  const files = maxQueued + 2000;
  mkdirSync(path.join(src, 'big'));
  const r = spawnSync(process.execPath, ['-e', `const fs=require('fs');for(let i=0;i<${files};i++)fs.writeFileSync(${JSON.stringify(src)}+'/big/f'+i,'x')`]);
  assert.equal(r.status, 0);
  const { engine, log, watchers } = await startEngine(t, { sync: [{ mode: 'rsync', source: src, target: dst, delay: 0.5, rsync: { archive: true } }] });
  await engine.whenIdle();
  const [w] = watchers;
  w!.__pauseReader(true);
  rmRfContents(src);
  w!.__pauseReader(false);
  await waitFor(() => hold(engine) !== undefined, 'the hold', 60_000);
  await engine.whenIdle();
  assert.equal(engine.status()[0]!.overflows, 1, 'the kernel queue did overflow');
  assert.ok(log.lines.some((l) => /full \(overflow\) rsync/.test(l)), 'the full resync ran');
  assert.equal(countEntries(dst), files + 1, 'nothing was deleted on the target');
  engine.releaseHeld();
  await waitFor(() => hold(engine) === undefined, 'release');
  await engine.whenIdle();
  assert.deepEqual(readdirSync(dst), [], `release ran the deletes and the full transfer with --delete\n${log.lines.filter((l) => !/^Delay/.test(l)).slice(-30).join('\n')}`);
});

test('direct, delete = "startup": events delete nothing, so rm -rf is not held; an empty source at start-up is', async (t) => {
  const src = tempDir(t);
  const dst = tempDir(t);
  const entries = makeTree(src, 6, 15);
  const { engine } = await startEngine(t, { sync: [{ mode: 'direct', source: src, target: dst, delay: 0.5, delete: 'startup' }] });
  await engine.whenIdle();
  rmRfContents(src);
  await engine.flushWatchers();
  await engine.whenIdle();
  assert.equal(hold(engine), undefined, 'nothing to hold: the deletes are dropped by the delete mode');
  assert.equal(countEntries(dst), entries);
  await engine.stop();
  const again = await startEngine(t, { sync: [{ mode: 'direct', source: src, target: dst, delay: 0.5, delete: 'startup' }] });
  await again.engine.whenIdle();
  assert.match(hold(again.engine)?.reason ?? '', /the source is empty/);
  assert.equal(countEntries(dst), entries);
});
