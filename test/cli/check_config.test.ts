// `lsyncd-ts check-config` on the real binary : the verdict and exit code
// of every seed fixture (test/fixtures/config/seed-configs, verbatim from the source document) and
// of the fixed ones, the per-sync lines with the exact rsync/ssh command lines, --json, --strict,
// and each machine warning (source, binaries, excludeFrom, symlinked target in source / shared
// target, watch limit). PATH holds fake rsync/ssh and /proc/sys is a temp tree, so the results
// do not depend on the host.
import { spawnSync } from 'node:child_process';
import test, { type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/temp_tree.js';
import { BIN, type BinResult, fakeBinDir, fakeSystemRoot, fixture, runBin } from './run_bin.js';

function env(t: TestContext, limits = { watches: 524288, instances: 1024, queued: 65536 }): Record<string, string> {
  const dir = tempDir(t);
  return { PATH: fakeBinDir(path.join(dir, 'bin'), ['rsync', 'ssh']), LSYNCD_TS_SYSCTL_ROOT: fakeSystemRoot(path.join(dir, 'root'), limits) };
}
const check = (t: TestContext, args: string[], e?: Record<string, string>): BinResult => runBin(['check-config', ...args], e ?? env(t));
const seed = (n: string): string => fixture('seed-configs', n);
const warnings = (r: BinResult): string[] => r.stderr.split('\n').filter((l) => l.startsWith('warning: '));
const errors = (r: BinResult): string[] => r.stderr.split('\n').filter((l) => l.startsWith('error: '));

test('seed 1 (settings only): invalid, "Nothing to watch!", exit 1', (t) => {
  const f = seed('1-settings.lua');
  const r = check(t, [f]);
  assert.equal(r.code, 1);
  assert.deepEqual(errors(r), [`error: ${f}:5: sync: Nothing to watch! — add at least one sync, e.g. sync { default.rsync, source = "/src", target = "host:/dst" }`]);
  assert.equal(r.stdout, `${f}: configuration is INVALID (1 error, 0 warnings)\n`);
});

test('seed 2 (direct): valid with a missing-source warning; the lines it prints', (t) => {
  const f = seed('2-direct.lua');
  const r = check(t, [f]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(warnings(r), [`warning: ${f}:8: sync[1].source: source "/home/e.orlov/source_dir/" does not exist — create it or fix the path`]);
  assert.equal(r.stdout, [
    'sync[1] direct: /home/e.orlov/source_dir/ → /home/e.orlov/target_dir/',
    '  delay        1 s (maxDelays 1000, maxProcesses 1)',
    '  delete       true — deletes on the target at startup and for events',
    '  init         startup transfer of the whole tree',
    '  delete guard holds deletes once ≥ 50 paths and ≥ 50 % of the target are deleted within 60 s, or the source is empty',
    '  rules        none (everything under the source is synced)',
    '  startup      rsync --delete --ignore-errors -lsSt -r /home/e.orlov/source_dir/ /home/e.orlov/target_dir/',
    '  events       in-process, no command per event (lsyncd ran cp/mkdir/rm/mv):',
    '               create/modify  copy /home/e.orlov/source_dir/PATH to a temporary name beside /home/e.orlov/target_dir/PATH, then rename over it',
    '               new directory  mkdir /home/e.orlov/target_dir/PATH/ with mode, owner and times',
    '               delete         remove /home/e.orlov/target_dir/PATH (never the target root)',
    '               move           rename /home/e.orlov/target_dir/OLD to /home/e.orlov/target_dir/NEW (falls back to copying from the source)',
    '               attrib         mode, owner (as root) and times onto /home/e.orlov/target_dir/PATH',
    '',
    `${f}: configuration is valid (1 sync, 1 warning)`,
    '',
  ].join('\n'));
  const strict = check(t, ['--strict', f]);
  assert.equal(strict.code, 1);
  assert.deepEqual(errors(strict), [`error: ${f}:8: sync[1].source: source "/home/e.orlov/source_dir/" does not exist — create it or fix the path`]);
  assert.match(strict.stdout, /configuration is INVALID under --strict \(1 sync, 1 warning treated as errors\)\n$/);
});

test('seed 3 (rsync with excludes): the exact startup and event-batch command lines', (t) => {
  const f = seed('3-rsync.lua');
  const r = check(t, [f]);
  assert.equal(r.code, 0);
  const lines = r.stdout.split('\n');
  assert.deepEqual(lines.slice(0, 11), [
    'sync[1] rsync: /home/e.orlov/source_dir/ → eorlov.org:~/target_dir/',
    '  delay        15 s (maxDelays 1000, maxProcesses 1)',
    '  delete       true — deletes on the target at startup and for events',
    '  init         startup transfer of the whole tree',
    '  delete guard holds deletes once ≥ 50 paths and ≥ 50 % of the target are deleted within 60 s, or the source is empty',
    '  exclude      .git/, vendor/, web/node_modules, bundled/',
    "  startup      rsync --from0 --exclude-from=- --delete --ignore-errors -zglopstD -r /home/e.orlov/source_dir/ 'eorlov.org:~/target_dir/'",
    '               stdin (NUL-separated rules): .git/ vendor/ web/node_modules bundled/',
    "  events       rsync -zglopstD -r --modify-window=-1 --delete --ignore-errors --force --from0 --include-from=- '--exclude=*' /home/e.orlov/source_dir/ 'eorlov.org:~/target_dir/'",
    '               stdin (NUL-separated): the changed paths and their parent directories',
    '               --modify-window=-1 only when the batch changes file content (not for chmod/delete-only batches)',
  ]);
});

test('seed 4 (target on rsyncssh) and seed 7 (missing commas): invalid with the fix, exit 1', (t) => {
  const f4 = seed('4-rsyncssh.lua');
  const r4 = check(t, [f4]);
  assert.equal(r4.code, 1);
  assert.deepEqual(errors(r4), [`error: ${f4}:11: sync[1].target: not valid for mode "rsyncssh", which takes host + targetdir — write targetdir = "~/target_dir" instead`]);
  const f7 = seed('7-multiple-servers.lua');
  const r7 = check(t, [f7]);
  assert.equal(r7.code, 1);
  assert.equal(errors(r7).length, 2);
  assert.match(errors(r7)[0]!, /:4: syntax error: missing comma at the end of line 4 \("statusInterval = 30"\)/);
  assert.match(errors(r7)[1]!, /:14: syntax error: missing comma at the end of line 14/);
  assert.equal(r7.stdout, `${f7}: configuration is INVALID (2 errors, 0 warnings)\n`);
});

test('seed 5 (rsyncssh, one-string ssh._extra): valid with the loader\'s and the machine warnings; --strict fails', (t) => {
  const f = seed('5-both-directions.lua');
  const r = check(t, [f]);
  assert.equal(r.code, 0);
  const w = warnings(r);
  assert.equal(w.length, 4, w.join('\n'));
  assert.match(w[0]!, /sync\[1\]\.ssh\._extra\[1\]: holds a whole command line in one string/);
  assert.match(w[1]!, /sync\[1\]\.ssh\._extra\[1\]: StrictHostKeyChecking=no disables ssh host key verification/);
  assert.equal(w[2], `warning: ${f}:6: sync[1].source: source "/path/to/dir/" does not exist — create it or fix the path`);
  assert.equal(w[3], `warning: ${f}:6: sync[1].excludeFrom: cannot read excludeFrom file "/etc/lsyncd.exclude" (ENOENT) — lsyncd would exit with 'Cannot open exclude file'; create it or fix the path`);
  // The connect bounds (connectTimeout, keep-alives) come first, as the daemon passes them.
  const bounds = '-o ConnectTimeout=10 -o ServerAliveInterval=15 -o ServerAliveCountMax=4';
  assert.ok(r.stdout.includes(`  moves        ssh ${bounds} -p 22 '/usr/bin/ssh -l user -p 22 -i /home/user/.ssh/id_rsa -o StrictHostKeyChecking=no' eorlov.org sh -s\n`));
  assert.ok(r.stdout.includes(`--rsh=ssh ${bounds} -p 22 '\\''/usr/bin/ssh -l user`));
  assert.equal(check(t, ['--strict', f]).code, 1);
});

test('seed 6 (single file via rsync._extra): valid; strictness depends only on /etc/security existing', (t) => {
  const f = seed('6-single-file.lua');
  const r = check(t, [f]);
  assert.equal(r.code, 0);
  assert.ok(r.stdout.includes('--include=limits.conf \'--exclude=*\''), r.stdout);
  assert.ok(r.stdout.includes('  delete       false — never deletes on the target'));
  const expected = existsSync('/etc/security') ? 0 : 1;
  assert.equal(check(t, ['--strict', f]).code, expected, warnings(r).join('\n'));
});

test('every fixed seed is valid', (t) => {
  for (const n of ['1-settings.lua', '4-rsyncssh.lua', '5-both-directions.lua', '7-multiple-servers.lua', '7-multiple-servers-modern.lua']) {
    const r = check(t, [fixture('fixed', n)]);
    assert.equal(r.code, 0, `${n}\n${r.stderr}`);
    assert.match(r.stdout, /configuration is valid \(\d+ syncs?, \d+ warnings?\)\n$/, n);
  }
  const r7 = check(t, [fixture('fixed', '7-multiple-servers.lua')]);
  assert.match(warnings(r7)[0]!, /sync\[1\]\.rsyncOps: deprecated lsyncd 2\.0 option string/);
  assert.match(r7.stdout, /sync\[2\] rsync: \/var\/www\/html\/ → 1\.0\.0\.3:\/var\/www\/html\//);
});

test('typo.json: "did you mean", exit 1; --json prints nothing on stdout when invalid', (t) => {
  const f = fixture('typo.json');
  const r = check(t, ['--json', f]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /sync\[2\]\.rsync\.compresss: unknown key — did you mean "compress"\?/);
  assert.match(r.stderr, /configuration is INVALID/);
});

test('--json prints the normalised config (functions as "[function]"), verdict on stderr', (t) => {
  const r = check(t, ['--json', seed('3-rsync.lua')]);
  assert.equal(r.code, 0);
  const j = JSON.parse(r.stdout) as { settings: { statusInterval: number }; syncs: { mode: string; exclude: string[]; rsync: { compress: boolean; binary: string }; rsyncExitCodes: Record<string, string> }[] };
  assert.equal(j.settings.statusInterval, 30);
  assert.equal(j.syncs[0]!.mode, 'rsync');
  assert.deepEqual(j.syncs[0]!.exclude, ['.git/', 'vendor/', 'web/node_modules', 'bundled/']);
  assert.equal(j.syncs[0]!.rsync.compress, true);
  assert.equal(j.syncs[0]!.rsyncExitCodes['24'], 'ok');
  assert.match(r.stderr, /configuration is valid/);
  const m = check(t, ['--json', fixture('example.mts')]);
  assert.equal(m.code, 0, m.stderr);
  const jm = JSON.parse(m.stdout) as { syncs: { mode: string; actions?: Record<string, string> }[] };
  assert.deepEqual(jm.syncs[2]!.actions, { onCreate: '[function]', onModify: 'logger "changed ^path"' });
});

test('machine checks on a real tree: binaries, unreadable excludeFrom, bad filter, shared target, watch limit', (t) => {
  const dir = tempDir(t);
  const src = path.join(dir, 'src');
  for (const d of ['a', 'b', 'c', 'a/x', 'a/y', 'skip', 'skip/deep']) mkdirSync(path.join(src, d), { recursive: true });
  symlinkSync(path.join(src, 'a'), path.join(dir, 'link-into-src'));
  mkdirSync(path.join(dir, 'real-target'));
  symlinkSync(path.join(dir, 'real-target'), path.join(dir, 'alias-target'));
  const cfg = path.join(dir, 'c.json');
  writeFileSync(cfg, JSON.stringify({
    sync: [
      // Inside the source through a symlink, but excluded: accepted (target_in_source.test.ts).
      { mode: 'rsync', source: src, target: path.join(dir, 'link-into-src', 'mirror'), exclude: ['skip/', '/a/mirror/'] },
      { mode: 'direct', source: src, target: path.join(dir, 'real-target'), excludeFrom: path.join(dir, 'missing.exclude') },
      { mode: 'direct', source: src, target: path.join(dir, 'alias-target') },
      { mode: 'rsyncssh', source: path.join(dir, 'nope'), host: 'h', targetdir: '/t', ssh: { binary: 'my-ssh' } },
    ],
  }));
  // 6 watched directories for sync[1] (skip/ excluded) against a limit of 4.
  const e = env(t, { watches: 4, instances: 128, queued: 16384 });
  const r = check(t, [cfg], e);
  assert.equal(r.code, 0, r.stderr);
  const w = warnings(r).map((l) => l.replace(`warning: ${cfg}:`, ''));
  const expectOne = (re: RegExp): void => assert.equal(w.filter((l) => re.test(l)).length, 1, `${re}\n${w.join('\n')}`);
  expectOne(/sync\[2\]\.excludeFrom: cannot read excludeFrom file ".*missing\.exclude" \(ENOENT\)/);
  expectOne(/sync\[3\]\.target: target ".*alias-target\/" resolves to ".*real-target", the same directory sync\[2\] writes/);
  expectOne(/sync\[4\]\.source: source ".*\/nope\/" does not exist/);
  expectOne(/sync\[4\]\.ssh\.binary: "my-ssh" not found in PATH — install the OpenSSH client or set ssh\.binary/);
  expectOne(/: inotify watch limit too low: the sources have more than \d+ directories to watch, but fs\.inotify\.max_user_watches = 4/);
  assert.equal(w.length, 5, w.join('\n'));
  assert.equal(check(t, ['--strict', cfg], e).code, 1);
  // Same config with a generous limit: no watch-limit warning.
  const ok = check(t, [cfg]);
  assert.equal(warnings(ok).filter((l) => l.includes('watch limit')).length, 0);
});

test('a missing rsync.binary is an error, not a warning: an explicit path that is not there, or rsync not on PATH', (t) => {
  const dir = tempDir(t);
  const cfg = path.join(dir, 'c.json');
  writeFileSync(cfg, JSON.stringify({ sync: [{ mode: 'rsync', source: dir, target: '/tmp/t', rsync: { binary: '/nonexistent/rsync' } }] }));
  const r = check(t, [cfg]);
  assert.equal(r.code, 1, r.stderr);
  assert.deepEqual(errors(r).map((l) => l.replace(`error: ${cfg}:`, '')), ['1: sync[1].rsync.binary: "/nonexistent/rsync" is not an executable file — install rsync or set rsync.binary to its full path']);
  writeFileSync(cfg, JSON.stringify({ sync: [{ mode: 'direct', source: dir, target: '/tmp/t' }] }));
  const e = { ...env(t), PATH: fakeBinDir(path.join(dir, 'ssh-only'), ['ssh']) };
  const onPath = check(t, [cfg], e);
  assert.equal(onPath.code, 1, onPath.stderr);
  assert.match(errors(onPath).join('\n'), /sync\[1\]\.rsync\.binary: "rsync" not found in PATH — install rsync/);
});

test('a malformed filter line is an error (lsyncd: Unknown filter rule), never a warning', (t) => {
  const dir = tempDir(t);
  const cfg = path.join(dir, 'f.json');
  writeFileSync(cfg, JSON.stringify({ sync: [{ mode: 'rsync', source: dir, target: 'h:/t', filter: ['+ /a**', 'x /b'] }] }));
  const r = check(t, [cfg]);
  assert.equal(r.code, 1);
  assert.deepEqual(errors(r).map((l) => l.replace(`${cfg}:`, 'CFG:')), ['error: CFG:1: sync[1].filter: Unknown filter rule: "x /b" — each filter entry must be "+ PATTERN" or "- PATTERN"']);
});

test('the effective mass-delete guard of each sync: sync keys over settings keys, off, per delete mode', (t) => {
  const dir = tempDir(t);
  const cfg = path.join(dir, 'g.json');
  writeFileSync(cfg, JSON.stringify({
    settings: { deleteGuard: { fraction: 0.25, window: 30 } },
    sync: [
      { mode: 'rsync', source: dir, target: '/t1', deleteGuard: { minimum: 10 } },
      { mode: 'direct', source: dir, target: '/t2', deleteGuard: false },
      { mode: 'direct', source: dir, target: '/t3', delete: false },
      { mode: 'direct', source: dir, target: '/t4', delete: 'startup' },
      { mode: 'direct', source: dir, target: '/t5', delete: 'running' },
    ],
  }));
  const r = check(t, [cfg]);
  assert.equal(r.code, 0, r.stderr);
  const rows = r.stdout.split('\n').filter((l) => l.startsWith('  delete guard'));
  assert.deepEqual(rows, [
    '  delete guard holds deletes once ≥ 10 paths and ≥ 25 % of the target are deleted within 30 s, or the source is empty',
    '  delete guard off (deleteGuard = false) — a mass delete in the source empties the target',
    '  delete guard nothing to guard (delete = false)',
    '  delete guard holds a full transfer of an empty source (events delete nothing: delete = "startup")',
    '  delete guard holds deletes once ≥ 50 paths and ≥ 25 % of the target are deleted within 30 s',
  ]);
});

test('a Lua config\'s os.execute / io.popen / os.remove / os.rename are not run by check-config, and it says so; the daemon runs them', (t) => {
  const dir = tempDir(t);
  const src = path.join(dir, 'src');
  mkdirSync(src);
  const marker = path.join(dir, 'ran');
  const victim = path.join(dir, 'victim');
  writeFileSync(victim, 'v');
  const cfg = path.join(dir, 'c.lua');
  writeFileSync(cfg, [
    `os.execute("touch ${marker}")`,
    `local dst = io.popen("echo ${dir}/dst"):read("*l") or "${dir}/fallback"`,
    `os.remove("${victim}")`,
    `os.rename("${victim}", "${victim}.2")`,
    `sync { default.direct, source = "${src}", target = dst }`,
  ].join('\n'));
  const r = check(t, [cfg]);
  assert.equal(r.code, 0, r.stderr);
  const note = (what: string): string => `was not run: check-config validates without side effects (${what}); the daemon runs it — check values that depend on it`;
  assert.deepEqual(warnings(r), [
    `warning: ${cfg}:1: os.execute ${note('it reported success')}`,
    `warning: ${cfg}:2: io.popen ${note('it read empty output')}`,
    `warning: ${cfg}:3: os.remove ${note('it reported success')}`,
    `warning: ${cfg}:4: os.rename ${note('it reported success')}`,
  ]);
  assert.match(r.stdout, new RegExp(`sync\\[1\\] direct: ${src}/ → ${dir}/fallback/`));
  assert.equal(existsSync(marker), false);
  assert.equal(existsSync(victim), true);
  // The daemon (one pass) runs them as written.
  const run = runBin(['-nodaemon', '-onepass', cfg], { PATH: process.env['PATH'] ?? '/usr/bin:/bin' });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(existsSync(marker), true);
  assert.equal(existsSync(victim), false);
  assert.equal(existsSync(path.join(dir, 'dst')), true, 'the io.popen output named the target');
});

test('settings.metrics with a port above 65535 is an error naming the range', (t) => {
  const dir = tempDir(t);
  const cfg = path.join(dir, 'm.lua');
  writeFileSync(cfg, `settings { metrics = "0.0.0.0:99999" }\nsync { default.rsync, source = "${dir}", target = "h:/t" }\n`);
  const r = check(t, [cfg]);
  assert.equal(r.code, 1);
  assert.deepEqual(errors(r), [`error: ${cfg}:1: settings.metrics: port 99999 is out of range (0..65535; 0 picks a free port) — write settings.metrics as "host:port", e.g. "127.0.0.1:9873", got "0.0.0.0:99999"`]);
});

test('a Lua action on a default.rsync sync is shown with the events it decides; Lua on* functions as [function]', (t) => {
  const dir = tempDir(t);
  const cfg = path.join(dir, 'a.lua');
  writeFileSync(cfg, `sync { default.rsync, source = "${dir}", target = "h:/t", action = function(inlet) return default.rsync.action(inlet) end }\nsync { source = "${dir}", onCreate = function(event) spawn(event, "/bin/true") end }\n`);
  const r = check(t, [cfg]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.ok(lines.includes('  action       Lua action(inlet) per batch: default.rsync.action(inlet) runs the events below, others are its own'), r.stdout);
  assert.ok(lines.includes('  onCreate     [function]'), r.stdout);
});

test('a JSON config with a duplicate key is invalid, with the line of the repetition', (t) => {
  const dir = tempDir(t);
  const cfg = path.join(dir, 'd.json');
  writeFileSync(cfg, `{\n  "sync": [{ "mode": "rsync", "source": "${dir}", "target": "h:/t",\n    "delay": 5,\n    "delay": 500 }]\n}\n`);
  const r = check(t, [cfg]);
  assert.equal(r.code, 1);
  assert.deepEqual(errors(r), [`error: ${cfg}:4: sync[1].delay: duplicate key (also set on line 3; JSON would silently keep only the last value) — remove one of them`]);
});

test('output piped into a reader that stops early (| head -1): no stack trace, the exit code stays the verdict', (t) => {
  const dir = tempDir(t);
  mkdirSync(path.join(dir, 'src'));
  const cfg = path.join(dir, 'c.json');
  // Several syncs: more output than `head -1` reads, so the later writes meet a closed pipe.
  writeFileSync(cfg, JSON.stringify({ sync: Array.from({ length: 40 }, (_, i) => ({ mode: 'rsync', source: path.join(dir, 'src'), target: `h:/t${i}` })) }));
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', `"${process.execPath}" "${BIN}" check-config "${cfg}" | head -1`], { encoding: 'utf8' });
  assert.equal(r.stderr.includes('EPIPE'), false, r.stderr);
  assert.equal(r.stdout.split('\n').filter((l) => l !== '').length, 1);
  assert.equal(r.status, 0, r.stderr);
});

test('a list of targets (and of rsyncssh hosts) is checked and printed as one sync per target, each with its derived name', (t) => {
  const dir = tempDir(t);
  const cfg = path.join(dir, 'l.json');
  writeFileSync(cfg, JSON.stringify({
    sync: [
      { mode: 'rsync', name: 'www', source: dir, target: ['/t1', 'h:/t2'] },
      { mode: 'direct', source: dir, target: ['/t3'] },
      { mode: 'rsyncssh', source: dir, host: ['web1', 'web2'], targetdir: '/srv' },
    ],
  }));
  const r = check(t, [cfg]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.split('\n').filter((l) => l.startsWith('sync[')), [
    `sync[1] "www@/t1" rsync: ${dir}/ → /t1/`,
    `sync[1] "www@h:/t2" rsync: ${dir}/ → h:/t2/`,
    `sync[2] direct: ${dir}/ → /t3/`,
    `sync[3] "sync[3]@web1" rsyncssh: ${dir}/ → web1:/srv/`,
    `sync[3] "sync[3]@web2" rsyncssh: ${dir}/ → web2:/srv/`,
  ]);
  assert.match(r.stdout, /configuration is valid \(5 syncs, /);
});

test('crontab and tunnel (lsyncd 2.3): their rows, and a five-field expression refused at its line with the fix', (t) => {
  const dir = tempDir(t);
  const cfg = path.join(dir, 'c.json');
  writeFileSync(cfg, JSON.stringify({ sync: [{ mode: 'rsync', source: dir, target: 'rsync://127.0.0.1:8873/m/', crontab: ['1 0 3 * * *'], tunnel: { command: ['ssh', '-N', '-L', '8873:^localhost:873', 'h'], checkport: 8873 } }] }));
  const r = check(t, [cfg]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.ok(lines.includes('  crontab      full transfer at each match of "1 0 3 * * *" (local time)'), r.stdout);
  assert.ok(lines.includes('  tunnel       ssh -N -L 8873:localhost:873 h — transfers wait until it is ready (once 127.0.0.1:8873 accepts a connection)'), r.stdout);
  const lua = path.join(dir, 'c.lua');
  writeFileSync(lua, ['sync {', '  default.rsync,', `  source = "${dir}",`, '  target = "/x",', '  crontab = { "*/5 * * * *" },', '}', ''].join('\n'));
  const bad = check(t, [lua]);
  assert.equal(bad.code, 1);
  assert.deepEqual(errors(bad), [`error: ${lua}:5: sync[1].crontab[1]: sync "sync[1]": cron expression "*/5 * * * *" has 5 fields, lsyncd's crontab takes 6 (second minute hour day-of-month month day-of-week) — put the seconds first, e.g. "0 */5 * * * *"`]);
});
