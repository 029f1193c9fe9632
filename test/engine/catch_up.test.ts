// Restart without starting over (docs/state.md), through the real binary with real rsync, real
// inotify and, for rsyncssh, the loopback sshd: after a restart a sync with a valid manifest
// queues only what changed while it was down ("catch-up: N changes"), never the full
// "recursive startup" transfer; a changed config, -full or a missing manifest still do the full
// init, with the reason logged; a second daemon on the same state directory is refused; an
// unusable state directory is one error line and the daemon runs on without state.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test, { type TestContext } from 'node:test';

import { compareTrees } from '../helpers/compare_trees.js';
import { mountPoint, readOnlyBind } from '../helpers/mounts.js';
import { modeSync, type SyncMode } from '../helpers/mode_sync.js';
import { tempDir } from '../helpers/temp_tree.js';
import { waitFor } from '../helpers/wait_for.js';
import { startBin, type Running } from '../daemon/daemon_harness.js';

const FINISHED = /Startup of .* finished\./;
/** Debug line (-log State) once a full transfer's queue stayed empty: a restart catches up. */
const SETTLED = /State: mirror: settled/;

/** 4 directories of 10 files each. */
function makeTree(src: string): void {
  for (let d = 0; d < 4; d++) {
    mkdirSync(path.join(src, `d${d}`));
    for (let f = 0; f < 10; f++) writeFileSync(path.join(src, `d${d}`, `f${f}`), `d${d}/f${f}`);
  }
}

/** While the daemon is down: 10 changed, 5 deleted, 5 created, one directory moved (21 events). */
function changeWhileDown(src: string): void {
  for (let f = 0; f < 10; f++) writeFileSync(path.join(src, 'd0', `f${f}`), `changed content ${f}`);
  for (let f = 0; f < 5; f++) rmSync(path.join(src, 'd1', `f${f}`));
  for (let f = 0; f < 5; f++) writeFileSync(path.join(src, 'd2', `new${f}`), `new ${f}`);
  renameSync(path.join(src, 'd3'), path.join(src, 'moved'));
}

interface Setup {
  readonly src: string;
  readonly dst: string;
  readonly conf: string;
  readonly stateDir: string;
  write(extra?: Record<string, unknown>, settings?: Record<string, unknown>): Promise<void>;
}

async function setup(t: TestContext, mode: SyncMode): Promise<Setup> {
  const src = tempDir(t);
  const dst = tempDir(t);
  const dir = tempDir(t);
  const conf = path.join(dir, 'c.json');
  const stateDir = path.join(dir, 'state');
  const base = await modeSync(t, mode, src, dst, { name: 'mirror', delay: 0 });
  const write = async (extra: Record<string, unknown> = {}, settings: Record<string, unknown> = {}): Promise<void> =>
    writeFileSync(conf, JSON.stringify({ settings: { stateDir, ...settings }, sync: [{ ...base, ...extra }] }));
  await write();
  return { src, dst, conf, stateDir, write };
}

async function stopped(d: Running): Promise<void> {
  d.child.kill('SIGTERM');
  assert.equal(await d.exited, 143, d.output());
}

async function converged(s: Setup, d: Running): Promise<void> {
  await waitFor(() => compareTrees(s.src, s.dst, { modes: false }).length === 0, `target matches the source\n${d.output()}`);
}

for (const mode of ['rsync', 'rsyncssh'] as const) {
  test(`${mode}: a restart queues only what changed while the daemon was down`, async (t) => {
    const s = await setup(t, mode);
    makeTree(s.src);
    const first = startBin(t, ['run', s.conf, '--nodaemon', '--log', 'Exec', '--log', 'State']);
    await waitFor(() => FINISHED.test(first.output()), `first start-up\n${first.output()}`);
    assert.match(first.output(), /mirror: full init transfer: no state recorded yet in /);
    await waitFor(() => SETTLED.test(first.output()), `settled\n${first.output()}`);
    await stopped(first);

    changeWhileDown(s.src);
    const second = startBin(t, ['run', s.conf, '--nodaemon', '--log', 'Exec']);
    await waitFor(() => /catch-up: \d+ changes/.test(second.output()), `catch-up\n${second.output()}`);
    await converged(s, second);
    const out = second.output();
    assert.match(out, /mirror: catch-up: 21 changes/);
    assert.doesNotMatch(out, /recursive startup|full init transfer|Calling rsync for a full transfer/);
    // No rsync walked the whole tree: every rsync of the restart was a filter-list batch.
    for (const line of out.split('\n').filter((l) => /Exec: .*rsync /.test(l) && !/ssh/.test(l.split(' ')[1] ?? ''))) {
      assert.match(line, /--include-from=-.*--exclude=\*/, line);
    }
    // rsyncssh turns the moved directory into one remote mv.
    if (mode === 'rsyncssh') assert.match(out, /Moving \/d3\/ -> \/moved\//);
    await stopped(second);
  });
}

test('a changed config, -full, or another daemon on the state directory', async (t) => {
  const s = await setup(t, 'rsync');
  makeTree(s.src);
  const first = startBin(t, ['run', s.conf, '--nodaemon']);
  await waitFor(() => FINISHED.test(first.output()), `first start-up\n${first.output()}`);

  // Same state directory, other config file: refused while the first one runs.
  const other = path.join(path.dirname(s.conf), 'other.json');
  writeFileSync(other, JSON.stringify({ settings: { stateDir: s.stateDir }, sync: [{ mode: 'rsync', source: s.src, target: tempDir(t) }] }));
  const second = startBin(t, ['run', other, '--nodaemon']);
  assert.equal(await second.exited, 255, second.output());
  assert.match(second.output(), new RegExp(`state directory ${s.stateDir} is in use by lsyncd-ts pid ${first.child.pid} — stop that daemon first`));
  await stopped(first);

  // A new exclude changes what the target should hold: full init, with the reason.
  await s.write({ exclude: ['*.tmp'] });
  writeFileSync(path.join(s.src, 'd0', 'x'), 'while down');
  const changed = startBin(t, ['run', s.conf, '--nodaemon', '--log', 'State']);
  await waitFor(() => FINISHED.test(changed.output()), `changed config\n${changed.output()}`);
  assert.match(changed.output(), /mirror: full init transfer: its configuration changed since the state was recorded/);
  assert.match(changed.output(), /recursive startup rsync/);
  await converged(s, changed);
  await waitFor(() => SETTLED.test(changed.output()), `settled\n${changed.output()}`);
  await stopped(changed);

  // Unchanged now: a catch-up, unless -full is given.
  const forced = startBin(t, ['run', s.conf, '--nodaemon', '--full', '--log', 'State']);
  await waitFor(() => FINISHED.test(forced.output()), `--full\n${forced.output()}`);
  assert.match(forced.output(), /mirror: full init transfer: -full was given/);
  assert.doesNotMatch(forced.output(), /catch-up/);
  await waitFor(() => SETTLED.test(forced.output()), `settled\n${forced.output()}`);
  await stopped(forced);

  const legacy = startBin(t, ['-nodaemon', '-full', '-log', 'State', s.conf]);
  await waitFor(() => FINISHED.test(legacy.output()), `-full\n${legacy.output()}`);
  assert.match(legacy.output(), /mirror: full init transfer: -full was given/);
  await waitFor(() => SETTLED.test(legacy.output()), `settled\n${legacy.output()}`);
  await stopped(legacy);

  // Nothing changed: nothing is pending, so the status shows no lag (a written status is at least
  // 1 s after the start; a lag counted from the start would show by then).
  const statusFile = path.join(path.dirname(s.conf), 'status');
  await s.write({ exclude: ['*.tmp'] }, { statusFile, statusInterval: 1 });
  const plain = startBin(t, ['run', s.conf, '--nodaemon']);
  const started = Date.now();
  await waitFor(() => /catch-up: 0 changes/.test(plain.output()), `catch-up\n${plain.output()}`);
  assert.doesNotMatch(plain.output(), /recursive startup/);
  let status: { time: string; syncs: { lagSeconds: number; state: string }[] } | undefined;
  await waitFor(() => {
    try {
      status = JSON.parse(readFileSync(`${statusFile}.json`, 'utf8')) as typeof status;
    } catch {
      return false;
    }
    return Date.parse(status!.time) >= started + 1500;
  }, `a status written 1.5 s after the start\n${plain.output()}`);
  assert.equal(status!.syncs[0]!.state, 'running');
  assert.equal(status!.syncs[0]!.lagSeconds, 0);
  await stopped(plain);
});

test('an unusable state directory is one error line; the daemon runs on without state', async (t) => {
  const mp = mountPoint(t);
  mkdirSync(path.join(mp.dir, 'state'));
  readOnlyBind(mp);
  const src = tempDir(t);
  const dst = tempDir(t);
  makeTree(src);
  const conf = path.join(tempDir(t), 'c.json');
  const stateDir = path.join(mp.dir, 'state');
  writeFileSync(conf, JSON.stringify({ settings: { stateDir }, sync: [{ name: 'mirror', mode: 'rsync', source: src, target: dst, delay: 0 }] }));
  const d = startBin(t, ['run', conf, '--nodaemon']);
  await waitFor(() => FINISHED.test(d.output()), `start-up\n${d.output()}`);
  const errors = d.output().split('\n').filter((l) => /Error: /.test(l));
  assert.equal(errors.length, 1, d.output());
  assert.match(errors[0]!, new RegExp(`state directory ${stateDir} (cannot be used|is not writable) \\(.*\\) — make it writable .*settings\\.stateDir.*; continuing without state`));
  assert.match(d.output(), /recursive startup rsync/);
  writeFileSync(path.join(src, 'later'), 'still mirrored');
  await waitFor(() => compareTrees(src, dst, { modes: false }).length === 0, `live change\n${d.output()}`);
  await stopped(d);
});
