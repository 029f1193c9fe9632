// `lsyncd-ts verify` end to end (bin/lsyncd-ts, real rsync, real files, the loopback sshd): a
// clean mirror is exit 0; a changed, a missing and an extra file on the target are exit 1 with
// each path classified, in text and --json; the target is byte-for-byte and mtime-for-mtime the
// same after verify; rsyncssh is checked through sshd with the sync's ssh options; --sync limits
// the check (an unknown name is exit 2 naming the valid ones); an unreachable target and a
// missing rsync are exit 2 with one line; a custom-action sync is skipped; with delete = false an
// extra file is listed as kept, not drift.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { runBin } from './run_bin.js';
import { ENV, drift, mirror, rsyncsshMirror, snapshot, sync, writeConfig } from './verify_fixture.js';

interface Report {
  syncs: { name: string; state: string; missing?: { count: number; paths: string[] }; changed?: { count: number; paths: string[] }; extra?: { count: number; paths: string[] }; reason?: string }[];
}

test('verify (rsync, local target): clean is 0; drift is 1 with each path classified; the target is unchanged', (t) => {
  const { dir, src, dst } = mirror(t);
  sync(src, dst);
  const config = writeConfig(dir, `sync { default.rsync, name = "local", source = "${src}", target = "${dst}", exclude = { "*.tmp" } }\n`);
  const clean = runBin(['verify', config], ENV);
  assert.equal(clean.code, 0, clean.stderr);
  assert.match(clean.stdout, /^local: .* -> .*: clean$/m);

  drift(dst);
  const before = snapshot(dst);
  const r = runBin(['verify', config], ENV);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /local: .*: drifted \(1 missing, 1 changed, 1 extra\)/);
  assert.match(r.stdout, /^ {2}missing {2}d\/e\/c$/m);
  assert.match(r.stdout, /^ {2}changed {2}a$/m);
  assert.match(r.stdout, /^ {2}extra {4}d\/extra$/m);
  assert.doesNotMatch(r.stdout, /skip\.tmp/, 'the excludes of the sync apply');
  assert.deepEqual(snapshot(dst), before, 'verify changed the target');

  const none = runBin(['verify', '--limit', '0', config], ENV);
  assert.equal(none.code, 1, none.stderr);
  assert.match(none.stdout, /^ {2}… and 1 more missing$/m);
  assert.doesNotMatch(none.stdout, /^ {2}missing/m);
  const badLimit = runBin(['verify', '--limit', '-1', config], ENV);
  assert.equal(badLimit.code, 255);
  assert.match(badLimit.stderr, /--limit must be a whole number of paths, 0 or more \(got "-1"\)/);

  const j = runBin(['verify', '--json', config], ENV);
  assert.equal(j.code, 1, j.stderr);
  const report = JSON.parse(j.stdout) as Report;
  const s = report.syncs[0]!;
  assert.equal(s.state, 'drifted');
  assert.deepEqual(s.missing, { count: 1, paths: ['d/e/c'] });
  assert.deepEqual(s.changed, { count: 1, paths: ['a'] });
  assert.deepEqual(s.extra, { count: 1, paths: ['d/extra'] });
  assert.deepEqual(snapshot(dst), before, 'verify --json changed the target');
});

test('verify (direct): the same dry run against the local target', (t) => {
  const { dir, src, dst } = mirror(t);
  sync(src, dst);
  const config = writeConfig(dir, `sync { default.direct, name = "dir", source = "${src}", target = "${dst}", exclude = { "*.tmp" } }\n`);
  assert.equal(runBin(['verify', config], ENV).code, 0);
  assertDriftReported(config, dst);
});

/** drift() on the target, then `verify --json`: exit 1, each path classified, the target untouched. */
function assertDriftReported(config: string, dst: string, untouched?: string): void {
  drift(dst);
  const before = snapshot(dst);
  const r = runBin(['verify', '--json', config], ENV);
  assert.equal(r.code, 1, r.stderr);
  const s = (JSON.parse(r.stdout) as Report).syncs[0]!;
  assert.deepEqual([s.missing?.paths, s.changed?.paths, s.extra?.paths], [['d/e/c'], ['a'], ['d/extra']]);
  assert.deepEqual(snapshot(dst), before, untouched);
}

test('verify (rsyncssh): through the loopback sshd with the sync ssh options; unreachable is 2', async (t) => {
  const { sshd, dst, config } = await rsyncsshMirror(t);
  const clean = runBin(['verify', config], ENV);
  assert.equal(clean.code, 0, clean.stderr);
  assert.match(clean.stdout, /^remote: .* -> .*:.*: clean$/m);

  assertDriftReported(config, dst, 'verify changed the remote target');

  await sshd.stop();
  const down = runBin(['verify', config], ENV);
  assert.equal(down.code, 2, down.stdout);
  assert.match(down.stderr, /^lsyncd-ts verify: remote: rsync exited with code \d+: .+$/m);
  assert.equal(down.stderr.trim().split('\n').length, 1, down.stderr);
});

test('verify --sync: only the named syncs; an unknown name is 2 naming the valid ones; custom syncs are skipped', (t) => {
  const { dir, src, dst } = mirror(t);
  sync(src, dst);
  const other = path.join(dir, 'other');
  mkdirSync(other);
  const config = writeConfig(
    dir,
    [
      `sync { default.rsync, name = "good", source = "${src}", target = "${dst}", exclude = { "*.tmp" } }`,
      `sync { default.rsync, name = "empty", source = "${src}", target = "${other}" }`,
      `sync { name = "actions", source = "${src}", onModify = "true" }`,
    ].join('\n'),
  );
  const all = runBin(['verify', config], ENV);
  assert.equal(all.code, 1, all.stderr);
  assert.match(all.stdout, /^empty: .*: drifted \(/m);
  assert.match(all.stdout, /^actions: .*: skipped \(custom actions/m);

  const good = runBin(['verify', '--sync', 'good', '--sync', 'actions', config], ENV);
  assert.equal(good.code, 0, good.stdout + good.stderr);
  assert.doesNotMatch(good.stdout, /^empty:/m);

  const unknown = runBin(['verify', '--sync', 'nope', config], ENV);
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stderr, 'lsyncd-ts verify: no sync named "nope" — the config has "good", "empty", "actions"\n');
  assert.equal(readdirSync(other).length, 0, 'verify created files in a target');
});

test('verify: no rsync, or a config that does not load, is 2 with one line', (t) => {
  const { dir, src, dst } = mirror(t);
  const config = writeConfig(dir, `sync { default.rsync, name = "x", source = "${src}", target = "${dst}", rsync = { binary = "${dir}/no-rsync" } }\n`);
  const r = runBin(['verify', config], ENV);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^lsyncd-ts verify: x: rsync not found \(.*no-rsync\): install rsync or set rsync\.binary\n$/);
  const bad = writeConfig(dir, 'sync { default.rsync, source = 3 }\n');
  const b = runBin(['verify', bad], ENV);
  assert.equal(b.code, 2);
  assert.match(b.stderr, /^lsyncd-ts verify: the config does not load: .+ — run "lsyncd-ts check-config .+" for every problem\n$/);
});

test('verify, delete = false: extra target files are kept, not drift; a changed file still is', (t) => {
  const { dir, src, dst } = mirror(t);
  sync(src, dst);
  writeFileSync(path.join(dst, 'd', 'extra'), 'not in the source\n');
  const config = writeConfig(dir, `sync { default.rsync, name = "keep", source = "${src}", target = "${dst}", delete = false, exclude = { "*.tmp" } }\n`);
  const r = runBin(['verify', config], ENV);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^keep: .*: clean \(1 extra kept: this sync does not delete at full transfers\)$/m);
  writeFileSync(path.join(dst, 'a'), 'ALPHA changed\n');
  const d = runBin(['verify', config], ENV);
  assert.equal(d.code, 1, d.stdout + d.stderr);
  assert.match(d.stdout, /^keep: .*: drifted \(0 missing, 1 changed, 1 extra kept\)$/m);
  assert.equal(readFileSync(path.join(dst, 'd', 'extra'), 'utf8'), 'not in the source\n');
});

test('verify: names with a newline or bytes that are not UTF-8 are shown escaped, one line each', (t) => {
  const { dir, src, dst } = mirror(t);
  sync(src, dst);
  writeFileSync(Buffer.concat([Buffer.from(`${src}/bad`), Buffer.from([0xff])]), 'x');
  writeFileSync(path.join(src, 'nl\nx'), 'y');
  const config = writeConfig(dir, `sync { default.rsync, name = "bytes", source = "${src}", target = "${dst}", exclude = { "*.tmp" } }\n`);
  const r = runBin(['verify', config], ENV);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /^ {2}missing {2}bad\\xff$/m);
  assert.match(r.stdout, /^ {2}missing {2}nl\\x0ax$/m);
});
