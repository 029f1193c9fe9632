// Lists of targets through the real engine, real inotify and real rsync: one sync{} with three
// local rsync targets and one with two direct targets run as five syncs; a new file reaches every
// target. A reload (the engine's reload(), as on HUP) whose list gains a fourth rsync target keeps
// the five running syncs (no init transfer for them) and starts only the new one; status and
// metrics then show all six under their derived names.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { loadConfigText } from '../../src/config/load_config.js';
import { renderMetrics } from '../../src/metrics/prometheus.js';
import { statusJson } from '../../src/status/render_json.js';
import { compareTrees } from '../helpers/compare_trees.js';
import { startEngine } from '../helpers/engine_harness.js';
import { tempDir } from '../helpers/temp_tree.js';

test('3 rsync + 2 direct targets from two lists: a file reaches all five; a reload adding a 4th target keeps the others and starts only it', async (t) => {
  const src = tempDir(t);
  writeFileSync(path.join(src, 'before'), 'present at start');
  const rsyncTargets = [tempDir(t), tempDir(t), tempDir(t)];
  const directTargets = [tempDir(t), tempDir(t)];
  const config = (rsync: string[]): unknown => ({
    sync: [
      { mode: 'rsync', name: 'www', source: src, target: rsync, delay: 0 },
      { mode: 'direct', source: src, target: directTargets, delay: 0 },
    ],
  });
  const { engine } = await startEngine(t, config(rsyncTargets));
  const names = [...rsyncTargets.map((d) => `www@${d}`), ...directTargets.map((d) => `sync[2]@${d}`)];
  assert.deepEqual(engine.status().map((s) => s.name), names);
  await engine.whenIdle();

  writeFileSync(path.join(src, 'live'), 'written while running');
  await engine.whenIdle();
  for (const dst of [...rsyncTargets, ...directTargets]) assert.deepEqual(compareTrees(src, dst), [], dst);

  // A file only the targets hold: an init transfer (rsync --delete) of a restarted sync would remove it.
  for (const dst of [...rsyncTargets, ...directTargets]) writeFileSync(path.join(dst, 'target-only'), 'x');
  const fourth = tempDir(t);
  const next = loadConfigText('test-config.json', JSON.stringify(config([...rsyncTargets, fourth])), 'json');
  assert.ok(next.ok, next.ok ? '' : next.errors.map((e) => e.text).join('\n'));
  const report = await engine.reload(next.config);
  assert.deepEqual(report.kept, names);
  assert.deepEqual(report.started, [`www@${fourth}`]);
  assert.deepEqual(report.stopped, []);
  await engine.whenIdle();
  assert.deepEqual(compareTrees(src, fourth), [], 'the new target got its init transfer');
  for (const dst of [...rsyncTargets, ...directTargets]) assert.ok(existsSync(path.join(dst, 'target-only')), `${dst} was not resynced`);

  writeFileSync(path.join(src, 'after'), 'written after the reload');
  await engine.whenIdle();
  for (const dst of [...rsyncTargets, fourth, ...directTargets]) assert.equal(readFileSync(path.join(dst, 'after'), 'utf8'), 'written after the reload', dst);

  // status and metrics: one entry per target, under the derived names
  const all = [...rsyncTargets.map((d) => `www@${d}`), `www@${fourth}`, ...directTargets.map((d) => `sync[2]@${d}`)];
  const snapshot = engine.snapshot();
  assert.deepEqual(new Set(statusJson(snapshot).syncs.map((s) => s.name)), new Set(all));
  const lines = renderMetrics(snapshot, { rssBytes: 1, startTimeSeconds: 1 }).split('\n');
  for (const name of all) assert.ok(lines.includes(`lsyncd_ts_sync_up{sync="${name}"} 1`), name);
});
