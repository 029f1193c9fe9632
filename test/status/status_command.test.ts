// `lsyncd-ts status` through the real binary: config → settings.statusFile, a status file or its
// JSON twin, human table vs --json, and the exit codes 0 healthy / 1 unhealthy or stale /
// 2 unreadable (with a one-line message naming the file and the fix).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import test from 'node:test';

import type { SyncSnapshot } from '../../src/engine/engine.js';
import { renderStatusJson } from '../../src/status/render_json.js';
import { renderStatusText } from '../../src/status/render_text.js';
import { runBin } from '../cli/run_bin.js';
import { tempDir } from '../helpers/temp_tree.js';
import { dead, healthy, retrying, snap } from './snapshots.js';

interface WriteOpts {
  pid?: number;
  ageMs?: number;
  interval?: number;
  host?: string;
}

/** Writes statusFile + twin as the daemon would, stamped "now" by a live pid (this test). */
function writeStatus(file: string, syncs: SyncSnapshot[], o: WriteOpts = {}): void {
  const now = new Date(Date.now() - (o.ageMs ?? 0));
  writeFileSync(file, renderStatusText(syncs, { now }));
  writeFileSync(`${file}.json`, renderStatusJson(syncs, { now, pid: o.pid ?? process.pid, hostname: o.host ?? hostname(), statusInterval: o.interval ?? 10 }));
}

function configWith(dir: string, statusFile: string | undefined, name = 'lsyncd.json'): string {
  const cfg = path.join(dir, name);
  writeFileSync(cfg, JSON.stringify({ settings: statusFile ? { statusFile } : {}, sync: [{ mode: 'rsync', source: dir, target: '/tmp/x' }] }));
  return cfg;
}

/** Times relative to the real clock (the command compares with it). */
const freshHealthy = (): SyncSnapshot[] => {
  const h = healthy();
  return [{ ...h, status: { ...h.status, lastSuccessAt: Date.now() - 11_000 } }, snap({ status: { name: 'docs', lastSuccessAt: Date.now() - 2000 } })];
};

test('healthy: exit 0, a table row per sync with state, lag, queue, last success, last error', (t) => {
  const dir = tempDir(t);
  const sf = path.join(dir, 'status');
  writeStatus(sf, freshHealthy());
  for (const target of [configWith(dir, sf), sf, `${sf}.json`]) {
    const r = runBin(['status', target]);
    assert.equal(r.code, 0, `${target}: ${r.stderr}`);
    assert.equal(r.stderr, '');
    const lines = r.stdout.split('\n');
    assert.match(lines[0]!, new RegExp(`^${sf.replace(/[.]/g, '\\.')}\\.json: written .* by pid ${process.pid} on `));
    assert.match(r.stdout, /^SYNC +STATE +LAG +QUEUE +RUNNING +LAST SUCCESS +LAST ERROR$/m);
    assert.match(r.stdout, /^sync\[1\] +running +3\.2 s +3 +1 +\d+(\.\d)? s ago +-$/m);
    assert.match(r.stdout, /^docs +running +0 s +0 +0 +\d(\.\d)? s ago +-$/m);
    assert.match(r.stdout, /\nall 2 syncs healthy\n$/);
  }
});

test('--json prints the JSON twin as written', (t) => {
  const dir = tempDir(t);
  const sf = path.join(dir, 'status');
  writeStatus(sf, freshHealthy());
  const r = runBin(['status', '--json', configWith(dir, sf)]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { version: number; syncs: { name: string; lagSeconds: number }[] };
  assert.equal(j.version, 1);
  assert.deepEqual(j.syncs.map((s) => [s.name, s.lagSeconds]), [['sync[1]', 3.2], ['docs', 0]]);
});

test('a retrying or dead sync: exit 1 with the reason per sync (also with --json)', (t) => {
  const dir = tempDir(t);
  const sf = path.join(dir, 'status');
  writeStatus(sf, [healthy(), retrying(), dead()]);
  const r = runBin(['status', sf]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /^backup +retrying +45 s +7 +0 +\S.* ago +rsync exited 12 \(error in rsync protocol data stream\)$/m);
  assert.match(r.stdout, /^backup: retrying after a failed transfer; next attempt (now|in [\d.]+ s): rsync exited 12/m);
  assert.match(r.stdout, /^media: stopped after an error: rsync exited 23 at startup/m);
  assert.match(r.stdout, /\n2 of 3 syncs unhealthy\n$/);
  assert.equal(runBin(['status', '--json', sf]).code, 1);
});

test('a stale status: the writing daemon is gone, or the file was not rewritten in time → exit 1', (t) => {
  const dir = tempDir(t);
  const sf = path.join(dir, 'status');
  const gone = spawnSync(process.execPath, ['-e', '0']).pid;
  writeStatus(sf, freshHealthy(), { pid: gone });
  let r = runBin(['status', sf]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, new RegExp(`^STALE: lsyncd-ts \\(pid ${gone}\\) is not running`, 'm'));

  // Another host's file: the pid cannot be checked, the age can (3 × 10 s interval).
  writeStatus(sf, freshHealthy(), { pid: gone, host: 'elsewhere.example', ageMs: 31_000 });
  r = runBin(['status', sf]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^STALE: not rewritten for 3\d s \(expected every 10 s\)[^]*\nstatus is stale \(2 syncs were healthy when written\)\n$/m);
  writeStatus(sf, freshHealthy(), { pid: gone, host: 'elsewhere.example', ageMs: 5_000 });
  assert.equal(runBin(['status', sf]).code, 0);
});

test('no status readable: exit 2 with one line naming the file and the fix', (t) => {
  const dir = tempDir(t);
  const sf = path.join(dir, 'status');
  const cases: [string[], RegExp][] = [
    [['status'], /name the status file or the config/],
    [['status', configWith(dir, undefined, 'nostatus.json')], /nostatus\.json: no statusFile in the config — set statusFile in settings\{\}/],
    [['status', configWith(dir, sf)], new RegExp(`cannot read status file ${sf} \\(settings\\.statusFile of .*lsyncd\\.json\\): ENOENT — is lsyncd-ts running`)],
    [['status', path.join(dir, 'nope')], /cannot read .*nope: ENOENT — name the status file \(settings\.statusFile\) or the daemon's config/],
  ];
  for (const [args, re] of cases) {
    const r = runBin(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, re);
  }
  const bad = path.join(dir, 'bad.json');
  writeFileSync(bad, '{"version": 7, "time": "x", "syncs": []}');
  const r = runBin(['status', bad]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /status version 7 is not supported/);
});

test("lsyncd's own status file (no JSON twin): shown as is, health unknown → 0; --json → 2", (t) => {
  const dir = tempDir(t);
  const sf = path.join(dir, 'lsyncd.status');
  const lsyncd = 'Lsyncd status report at Wed Nov 25 02:19:51 2026\n\nSync1 source=/srv/src/\nThere are 1 delays\nwait   Create /new1\nFiltering:\n  nothing.\n\n\nInotify watching 1 directories\n  1: /srv/src/\n';
  writeFileSync(sf, lsyncd);
  let r = runBin(['status', sf]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.startsWith(lsyncd));
  assert.match(r.stdout, /health unknown \(lsyncd format\)/);
  r = runBin(['status', '--json', sf]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /has no JSON twin/);
  // Our own text without its twin: the State: lines decide.
  writeFileSync(sf, renderStatusText([healthy(), dead()]));
  assert.equal(runBin(['status', sf]).code, 1);
});
