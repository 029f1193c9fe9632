// `lsyncd-ts verify --repair` end to end (bin/lsyncd-ts, real rsync, real files, the loopback
// sshd): a missing, an extra and a changed file on the target — the changed one with the
// source's size and mtime, so only a checksum finds it — are repaired and the target is clean
// afterwards (exit 0; without --repair the same drift is exit 1); the sync's delete mode is
// honoured (delete = false keeps the extra file, and still exits 0: it is not drift there); a
// repair whose deletes would trip the mass-delete guard is refused with one line naming --force
// (exit 1, target untouched) and runs with --force; rsyncssh targets are repaired through sshd.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { compareTrees } from '../helpers/compare_trees.js';
import { runBin } from './run_bin.js';
import { ENV, drift, mirror, rsyncsshMirror, snapshot, sync, writeConfig } from './verify_fixture.js';

/** drift(), but `a` changes to content of the same size with the source's mtime (invisible to rsync's quick check). */
function driftUnderQuickCheck(src: string, dst: string): void {
  drift(dst);
  const a = path.join(dst, 'a');
  writeFileSync(a, 'ALPHA\n');
  const st = statSync(path.join(src, 'a'));
  utimesSync(a, st.atime, st.mtime);
}

/** The target mirrors the source (the excluded skip.tmp aside). */
function assertMirrors(src: string, dst: string): void {
  assert.deepEqual(compareTrees(src, dst, { ignore: (rel) => rel === '/skip.tmp' }), []);
}

for (const mode of ['rsync', 'direct'] as const) {
  test(`verify --repair (${mode}): missing, extra and changed files are repaired; exit 0 and clean afterwards`, (t) => {
    const { dir, src, dst } = mirror(t);
    sync(src, dst);
    const config = writeConfig(dir, `sync { default.${mode}, name = "local", source = "${src}", target = "${dst}", exclude = { "*.tmp" } }\n`);
    driftUnderQuickCheck(src, dst);

    const check = runBin(['verify', config], ENV);
    assert.equal(check.code, 1, check.stderr);
    assert.match(check.stdout, /drifted \(1 missing, 1 changed, 1 extra\)/);

    const r = runBin(['verify', '--repair', config], ENV);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^local: .*: drifted \(1 missing, 1 changed, 1 extra\)$/m, 'the report before the repair');
    assert.match(r.stdout, /^local: repaired: now clean$/m);
    assert.equal(r.stderr, '');
    assertMirrors(src, dst);
    assert.equal(existsSync(path.join(dst, 'skip.tmp')), false, 'the excludes of the sync apply to the repair');

    const again = runBin(['verify', config], ENV);
    assert.equal(again.code, 0, again.stdout);
  });
}

test('verify --repair --json: the repair outcome and the state after it; --force needs --repair', (t) => {
  const { dir, src, dst } = mirror(t);
  sync(src, dst);
  const config = writeConfig(dir, `sync { default.rsync, name = "local", source = "${src}", target = "${dst}", exclude = { "*.tmp" } }\n`);
  drift(dst);
  const r = runBin(['verify', '--repair', '--json', config], ENV);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const s = (JSON.parse(r.stdout) as { syncs: { state: string; repair?: { outcome: string; stateAfter: string } }[] }).syncs[0]!;
  assert.equal(s.state, 'drifted');
  assert.deepEqual(s.repair, { outcome: 'repaired', stateAfter: 'clean' });
  assertMirrors(src, dst);

  const bad = runBin(['verify', '--force', config], ENV);
  assert.equal(bad.code, 255);
  assert.match(bad.stderr, /--force only applies to --repair — add --repair, or drop --force/);
});

test('verify --repair, delete = false: the extra file stays; missing and changed are repaired; exit 0', (t) => {
  const { dir, src, dst } = mirror(t);
  sync(src, dst);
  const config = writeConfig(dir, `sync { default.rsync, name = "keep", source = "${src}", target = "${dst}", delete = false, exclude = { "*.tmp" } }\n`);
  driftUnderQuickCheck(src, dst);
  const r = runBin(['verify', '--repair', config], ENV);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^keep: .*: drifted \(1 missing, 1 changed, 1 extra kept\)$/m);
  assert.match(r.stdout, /^keep: repaired: now clean$/m);
  assert.equal(readFileSync(path.join(dst, 'd', 'extra'), 'utf8'), 'not in the source\n', 'delete = false: the repair deleted a file');
  assert.equal(readFileSync(path.join(dst, 'a'), 'utf8'), 'alpha\n');
  assert.equal(readFileSync(path.join(dst, 'd', 'e', 'c'), 'utf8'), 'charlie\n');
});

test('verify --repair: deletes that would trip the mass-delete guard are refused (one line naming --force); --force repairs', (t) => {
  const { dir, src, dst } = mirror(t);
  sync(src, dst);
  // 5 entries in the source against 12 extra files: 12 ≥ 0.5 × (5 + 12) and ≥ the minimum of 10.
  for (let i = 0; i < 12; i++) writeFileSync(path.join(dst, `old${i}`), 'gone from the source\n');
  const config = writeConfig(
    dir,
    `sync { default.rsync, name = "guarded", source = "${src}", target = "${dst}", exclude = { "*.tmp" }, deleteGuard = { minimum = 10 } }\n`,
  );
  const before = snapshot(dst);
  const r = runBin(['verify', '--repair', config], ENV);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^guarded: .*: drifted \(0 missing, 0 changed, 12 extra\)$/m);
  assert.equal(
    r.stderr,
    'lsyncd-ts verify: guarded: repair refused: it would delete 12 files on the target that the source lacks, with 5 entries in the source ' +
      '(the mass-delete guard holds at 10 deletes and 50 % of the target) — check that the source is complete, then run ' +
      '"lsyncd-ts verify --repair --force --sync guarded CONFIG"\n',
  );
  assert.deepEqual(snapshot(dst), before, 'a refused repair changed the target');

  const forced = runBin(['verify', '--repair', '--force', config], ENV);
  assert.equal(forced.code, 0, forced.stdout + forced.stderr);
  assert.match(forced.stdout, /^guarded: repaired: now clean$/m);
  assertMirrors(src, dst);
});

test('verify --repair (rsyncssh): repaired through the loopback sshd with the sync ssh options', async (t) => {
  const { sshd, src, dst, config } = await rsyncsshMirror(t);
  driftUnderQuickCheck(src, dst);
  const logins = sshd.countLog(/Accepted publickey/);
  const r = runBin(['verify', '--repair', config], ENV);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^remote: repaired: now clean$/m);
  assertMirrors(src, dst);
  assert.equal(sshd.countLog(/Accepted publickey/) - logins, 3, 'check, repair and check again: one ssh login each');
});
