// `lsyncd-ts sysctl` on the real binary with LSYNCD_TS_SYSCTL_ROOT pointing /proc/sys and
// /etc/sysctl.d at a temp tree: exact counts for a config with excludes and for directories,
// --check exit codes (0 ok, 2 too low, 1 unknown/invalid), --apply writing the conf and values.
import test, { type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/temp_tree.js';
import { fakeSystemRoot, runBin } from '../cli/run_bin.js';

function setup(t: TestContext, limits: { watches?: number; instances?: number; queued?: number }): { dir: string; cfg: string; env: Record<string, string> } {
  const dir = tempDir(t);
  const src = path.join(dir, 'src');
  for (const d of ['a/b', 'a/c', '.git/objects/aa', 'node_modules/m', 'docs']) mkdirSync(path.join(src, d), { recursive: true });
  writeFileSync(path.join(dir, 'excl'), 'docs/\n');
  const cfg = path.join(dir, 'c.json');
  writeFileSync(cfg, JSON.stringify({ sync: [{ mode: 'rsync', source: src, target: 'h:/t', exclude: ['.git/', '/node_modules'], excludeFrom: path.join(dir, 'excl') }] }));
  const root = fakeSystemRoot(path.join(dir, 'root'), limits);
  return { dir, cfg, env: { LSYNCD_TS_SYSCTL_ROOT: root } };
}

test('config: counts the sources with excludes honoured (exact) and prints the recommendation', (t) => {
  const { dir, cfg, env } = setup(t, { watches: 8192, instances: 128, queued: 16384 });
  const r = runBin(['sysctl', cfg], env);
  assert.equal(r.code, 0, r.stderr);
  const out = r.stdout.split('\n');
  assert.match(out[0]!, /^Directories to watch: 4 \(walked in \d+\.\d\d s\)$/); // src, a, a/b, a/c
  assert.equal(out[1], `          4  sync[1] ${path.join(dir, 'src')} (3 excluded)`);
  assert.ok(r.stdout.includes('fs.inotify.max_user_watches       8192       4        65536  raise (little headroom)'), r.stdout);
  assert.ok(r.stdout.includes('  sysctl -w fs.inotify.max_user_watches=65536\n  sysctl -w fs.inotify.max_queued_events=65536\n'));
  assert.ok(r.stdout.includes('To keep them across reboots, /etc/sysctl.d/90-lsyncd-ts.conf:\n  # inotify limits for lsyncd-ts'));
  assert.ok(r.stdout.includes("so this tree's 4 watches cost ~4.0 KiB"));
});

test('directories: each is counted, duplicates once', (t) => {
  const { dir, env } = setup(t, { watches: 1_000_000, instances: 1024, queued: 65536 });
  const r = runBin(['sysctl', path.join(dir, 'src'), path.join(dir, 'src/a'), path.join(dir, 'src/a/')], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Directories to watch: 13 /); // 10 + 3
  assert.ok(r.stdout.includes(`         10  ${path.join(dir, 'src')}\n          3  ${path.join(dir, 'src/a')}\n`), r.stdout);
  assert.ok(r.stdout.includes('All limits are fine; nothing to change.'));
});

test('--check: 0 when fine, 2 when too low, 1 when the limits cannot be read', (t) => {
  const ok = setup(t, { watches: 65536, instances: 128, queued: 65536 });
  const r0 = runBin(['sysctl', '--check', ok.cfg], ok.env);
  assert.equal(r0.code, 0);
  assert.equal(r0.stdout, 'OK: 4 directories to watch; max_user_watches 65536 (needed 4), max_user_instances 128 (needed 1)\n');
  const low = setup(t, { watches: 3, instances: 128, queued: 65536 });
  const r2 = runBin(['sysctl', '--check', low.cfg], low.env);
  assert.equal(r2.code, 2);
  assert.match(r2.stdout, /^TOO LOW: 4 directories to watch; max_user_watches 3 \(needed 4\)/);
  const unknown = setup(t, {});
  const r1 = runBin(['sysctl', '--check', unknown.cfg], unknown.env);
  assert.equal(r1.code, 1);
  assert.match(r1.stdout, /^UNKNOWN: /);
});

test('--apply writes 90-lsyncd-ts.conf and the /proc values under the test root; --check then passes', (t) => {
  const { cfg, env } = setup(t, { watches: 3, instances: 128, queued: 16384 });
  const root = env['LSYNCD_TS_SYSCTL_ROOT']!;
  const r = runBin(['sysctl', '--apply', cfg], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Wrote .*\/etc\/sysctl\.d\/90-lsyncd-ts\.conf and set: fs\.inotify\.max_user_watches = 65536, fs\.inotify\.max_queued_events = 65536\n$/);
  assert.equal(readFileSync(path.join(root, 'etc/sysctl.d/90-lsyncd-ts.conf'), 'utf8'), [
    '# inotify limits for lsyncd-ts (written by `lsyncd-ts sysctl`; one watch per watched directory).',
    'fs.inotify.max_user_watches = 65536',
    'fs.inotify.max_queued_events = 65536',
    '',
  ].join('\n'));
  assert.equal(readFileSync(path.join(root, 'proc/sys/fs/inotify/max_user_watches'), 'utf8'), '65536\n');
  assert.equal(runBin(['sysctl', '--check', cfg], env).code, 0);
});

test('errors: missing directory, invalid config, bad filter → exit 1 with one line each', (t) => {
  const { dir, env } = setup(t, { watches: 65536, instances: 128, queued: 65536 });
  const m = runBin(['sysctl', path.join(dir, 'missing')], env);
  assert.equal(m.code, 1);
  assert.equal(m.stderr, `error: directory "${path.join(dir, 'missing')}" does not exist — create it or fix the path\n`);
  const bad = path.join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ sync: [] }));
  const b = runBin(['sysctl', bad], env);
  assert.equal(b.code, 1);
  assert.match(b.stderr, /Nothing to watch!.*\nlsyncd-ts sysctl: the config is invalid — fix it first/);
  const f = path.join(dir, 'f.json');
  writeFileSync(f, JSON.stringify({ sync: [{ mode: 'rsync', source: dir, target: 'h:/t', filter: ['? x'] }] }));
  const fr = runBin(['sysctl', f], env);
  assert.equal(fr.code, 1);
  assert.equal(fr.stderr, 'error: sync[1].filter: Unknown filter rule: "? x" — each filter entry must be "+ PATTERN" or "- PATTERN"\n');
});
