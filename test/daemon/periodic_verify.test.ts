// The daemon's periodic drift check (`verifyInterval`, `verifyRepair`) end to end: the real
// bin/lsyncd-ts, real rsync, real files. Drift made on the target behind the daemon's back shows
// in the status file, its JSON twin, `lsyncd-ts status` (exit 1), the metrics and /healthz (503);
// with verifyRepair the target is brought back and the status says clean and repaired. The check
// runs while the sync is idle, outside the process slots: with settings.maxProcesses = 1 another
// sync's transfer runs while a check is under way, and a transfer of the checked sync that falls
// due aborts the check and never overlaps it (an rsync wrapper records overlaps). A repair past
// the mass-delete guard is refused, never forced.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { runBin } from '../cli/run_bin.js';
import { compareTrees } from '../helpers/compare_trees.js';
import { tempDir } from '../helpers/temp_tree.js';
import { startBin, waitFor, type Running } from './daemon_harness.js';

interface VerifyJson {
  state: string;
  at: string;
  missing: number;
  changed: number;
  extra: number;
  repair: { outcome: string; reason: string | null } | null;
}

interface Tree {
  root: string;
  src: string;
  dst: string;
  conf: string;
  status: string;
}

function tree(t: test.TestContext): Tree {
  const root = tempDir(t, 'lsyncd-ts-pverify-');
  const src = path.join(root, 'src');
  const dst = path.join(root, 'dst');
  mkdirSync(path.join(src, 'd'), { recursive: true });
  writeFileSync(path.join(src, 'a'), 'alpha\n');
  writeFileSync(path.join(src, 'd', 'b'), 'bravo\n');
  writeFileSync(path.join(src, 'd', 'c'), 'charlie\n');
  return { root, src, dst, conf: path.join(root, 'lsyncd-ts.json'), status: path.join(root, 'status') };
}

function writeJson(file: string, value: unknown): void {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

function verifyOf(statusFile: string, name: string): VerifyJson | null | undefined {
  try {
    const st = JSON.parse(readFileSync(`${statusFile}.json`, 'utf8')) as { syncs: { name: string; verify?: VerifyJson | null }[] };
    return st.syncs.find((s) => s.name === name)?.verify;
  } catch {
    return undefined; // not written yet
  }
}

async function get(url: string): Promise<{ status: number; body: string }> {
  const r = await fetch(url);
  return { status: r.status, body: await r.text() };
}

function metricsPort(d: Running): number | undefined {
  const m = /metrics: serving \/metrics and \/healthz on http:\/\/127\.0\.0\.1:(\d+)\//.exec(d.output());
  return m === null ? undefined : Number(m[1]);
}

/** A missing, an extra and a changed file on the target. */
function drift(dst: string): void {
  rmSync(path.join(dst, 'd', 'c'));
  writeFileSync(path.join(dst, 'd', 'extra'), 'not in the source\n');
  writeFileSync(path.join(dst, 'a'), 'ALPHA changed\n');
}

test('verifyInterval: drift behind the daemon\'s back shows in the status file, JSON, status command, metrics and /healthz', async (t) => {
  const { src, dst, conf, status } = tree(t);
  writeJson(conf, {
    settings: { statusFile: status, statusInterval: 1, metrics: '127.0.0.1:0' },
    sync: [{ mode: 'rsync', name: 'web', source: src, target: dst, delay: 0, verifyInterval: 0.2 }],
  });
  const d = startBin(t, ['run', conf, '--nodaemon']);
  await waitFor(() => verifyOf(status, 'web')?.state === 'clean', 'a clean drift check');
  const port = metricsPort(d);
  assert.ok(port !== undefined, d.output());
  assert.equal((await get(`http://127.0.0.1:${port}/healthz`)).status, 200);

  drift(dst);
  await waitFor(() => verifyOf(status, 'web')?.state === 'drifted', 'the drift in the status JSON', 30_000);
  const { at, ...found } = verifyOf(status, 'web')!;
  assert.deepEqual(found, { state: 'drifted', missing: 1, changed: 1, extra: 1, reason: null, repair: null });
  assert.ok(Math.abs(Date.parse(at) - Date.now()) < 60_000, at);
  await waitFor(() => /^Verify: drifted at .*: 1 missing, 1 changed, 1 extra$/m.test(readFileSync(status, 'utf8')), 'the drift in the text status file');

  const h = await get(`http://127.0.0.1:${port}/healthz`);
  assert.equal(h.status, 503, h.body);
  assert.match(h.body, /^web: target drifted \(drift check .* ago: 1 missing, 1 changed, 1 extra\) — run "lsyncd-ts verify --repair CONFIG", or set verifyRepair = true$/m);
  const m = (await get(`http://127.0.0.1:${port}/metrics`)).body;
  for (const kind of ['missing', 'changed', 'extra']) assert.match(m, new RegExp(`^lsyncd_ts_sync_drift_files\\{sync="web",kind="${kind}"\\} 1$`, 'm'));
  assert.match(m, /^lsyncd_ts_sync_verify_state\{sync="web",state="drifted"\} 1$/m);
  assert.match(m, /^lsyncd_ts_sync_last_verify_timestamp_seconds\{sync="web"\} [1-9]\d*(\.\d+)?$/m);

  const st = runBin(['status', status], { PATH: '/usr/bin:/bin' });
  assert.equal(st.code, 1, st.stdout + st.stderr);
  assert.match(st.stdout, /^web: Verify: drifted at .*: 1 missing, 1 changed, 1 extra$/m);
  assert.match(st.stdout, /^web: target drifted/m);
  assert.match(d.output(), /web: drift check: target drifted \(1 missing, 1 changed, 1 extra\)/);
  assert.equal(readFileSync(path.join(dst, 'a'), 'utf8'), 'ALPHA changed\n', 'without verifyRepair the daemon repaired the target');
});

test('verifyRepair: a drifted target is repaired and the status says clean, with the repair', async (t) => {
  const { src, dst, conf, status } = tree(t);
  writeJson(conf, {
    settings: { statusFile: status, statusInterval: 1 },
    sync: [{ mode: 'rsync', name: 'web', source: src, target: dst, delay: 0, verifyInterval: 0.2, verifyRepair: true }],
  });
  const d = startBin(t, ['run', conf, '--nodaemon']);
  await waitFor(() => verifyOf(status, 'web')?.state === 'clean', 'a clean drift check');
  drift(dst);
  await waitFor(() => verifyOf(status, 'web')?.repair?.outcome === 'repaired', 'the repair in the status JSON', 30_000);
  assert.equal(verifyOf(status, 'web')?.state, 'clean');
  assert.deepEqual(compareTrees(src, dst), []);
  assert.match(d.output(), /web: target repaired/);
  await waitFor(() => /^Verify: clean at .*; last repair repaired at /m.test(readFileSync(status, 'utf8')), 'the repair in the text status file');
});

test('verifyInterval: the check takes no process slot, and a due transfer of its sync aborts it instead of overlapping', async (t) => {
  const { root, src, dst, conf, status } = tree(t);
  const other = { src: path.join(root, 'src2'), dst: path.join(root, 'dst2') };
  mkdirSync(other.src);
  // The wrapper holds each dry run (the check) while `block` exists, and records a transfer that
  // starts while a dry run of the same sync is still alive.
  const wrapper = path.join(root, 'rsync-wrapper');
  const block = path.join(root, 'block');
  const pidFile = path.join(root, 'check.pid');
  const overlap = path.join(root, 'overlap');
  writeFileSync(
    wrapper,
    [
      '#!/bin/sh',
      'case " $* " in',
      `  *" --dry-run "*) echo $$ > ${pidFile}; while [ -e ${block} ]; do sleep 0.02; done; exec rsync "$@";;`,
      'esac',
      `if [ -e ${pidFile} ] && kill -0 "$(cat ${pidFile})" 2>/dev/null; then echo "$*" >> ${overlap}; fi`,
      'exec rsync "$@"',
      '',
    ].join('\n'),
  );
  chmodSync(wrapper, 0o755);
  writeJson(conf, {
    settings: { statusFile: status, statusInterval: 1, maxProcesses: 1 },
    sync: [
      // delay 1: no standby rsync (delay < 1 s keeps one waiting), so every wrapper run is a transfer.
      { mode: 'rsync', name: 'checked', source: src, target: dst, delay: 1, verifyInterval: 0.2, rsync: { binary: wrapper } },
      { mode: 'rsync', name: 'busy', source: other.src, target: other.dst, delay: 0 },
    ],
  });
  writeFileSync(block, '');
  const d = startBin(t, ['run', conf, '--nodaemon']);
  await waitFor(() => existsSync(pidFile), 'a drift check under way (held by the wrapper)');

  writeFileSync(path.join(other.src, 'x'), 'from the other sync\n');
  await waitFor(() => existsSync(path.join(other.dst, 'x')), "the other sync's transfer while the check runs (maxProcesses = 1)");
  assert.equal(verifyOf(status, 'checked') ?? null, null, 'the check has not finished');

  writeFileSync(path.join(src, 'new'), 'due now\n');
  await waitFor(() => existsSync(path.join(dst, 'new')), "the checked sync's own transfer");
  assert.equal(existsSync(overlap), false, existsSync(overlap) ? readFileSync(overlap, 'utf8') : '');

  rmSync(block);
  await waitFor(() => verifyOf(status, 'checked')?.state === 'clean', 'a finished clean check once nothing holds it');
  assert.equal(existsSync(overlap), false, existsSync(overlap) ? readFileSync(overlap, 'utf8') : '');
  assert.doesNotMatch(d.output(), /drifted/);
});

test('verifyRepair: a repair whose deletes would trip the mass-delete guard is refused; the target keeps its files and stays drifted', async (t) => {
  const { src, dst, conf, status } = tree(t);
  writeJson(conf, {
    settings: { statusFile: status, statusInterval: 1 },
    sync: [{ mode: 'rsync', name: 'web', source: src, target: dst, delay: 0, verifyInterval: 0.2, verifyRepair: true, deleteGuard: { minimum: 5 } }],
  });
  startBin(t, ['run', conf, '--nodaemon']);
  await waitFor(() => verifyOf(status, 'web')?.state === 'clean', 'a clean drift check');
  // 4 entries in the source (a, d, d/b, d/c) against 6 extra files: 6 ≥ 0.5 × (4 + 6) and ≥ 5.
  for (let i = 0; i < 6; i++) writeFileSync(path.join(dst, `old${i}`), 'gone from the source\n');
  await waitFor(() => verifyOf(status, 'web')?.repair?.outcome === 'refused', 'the refused repair in the status JSON', 30_000);
  const v = verifyOf(status, 'web')!;
  assert.equal(v.state, 'drifted');
  assert.equal(v.extra, 6);
  assert.match(v.repair?.reason ?? '', /^it would delete 6 files on the target .* "lsyncd-ts verify --repair --force --sync web CONFIG"$/);
  for (let i = 0; i < 6; i++) assert.ok(existsSync(path.join(dst, `old${i}`)), `old${i} was deleted`);
});
