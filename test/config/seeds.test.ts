// The seven example configs users bring from lsyncd's documentation (kept verbatim in
// test/fixtures/config/seed-configs/, mistakes included) get the right verdict, and each one once
// fixed by hand (test/fixtures/config/fixed/) loads.
import test from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/load_config.js';
import { errorTexts, expectOk, fixture, warningTexts } from './helpers.js';

const seed = (name: string): string => fixture('seed-configs', name);

test('seed 1: settings{} alone → "Nothing to watch!" at the end of the file', async () => {
  const f = seed('1-settings.lua');
  assert.deepEqual(errorTexts(await loadConfig(f)), [`${f}:5: sync: Nothing to watch! — add at least one sync, e.g. sync { default.rsync, source = "/src", target = "host:/dst" }`]);
});

test('seed 2: default.direct is valid', async () => {
  const r = await loadConfig(seed('2-direct.lua'));
  const c = expectOk(r);
  assert.deepEqual(warningTexts(r), []);
  assert.deepEqual(c.settings.logfile, '/var/log/lsyncd/lsyncd.log');
  assert.equal(c.settings.statusInterval, 30);
  const s = c.syncs[0]!;
  assert.deepEqual([s.mode, s.source, s.mode === 'direct' ? s.target : '', s.delay, s.line], ['direct', '/home/e.orlov/source_dir/', '/home/e.orlov/target_dir/', 1, 8]);
});

test('seed 3: default.rsync with excludes and rsync{archive, compress} is valid', async () => {
  const c = expectOk(await loadConfig(seed('3-rsync.lua')));
  const s = c.syncs[0]!;
  assert.ok(s.mode === 'rsync');
  assert.equal(s.target, 'eorlov.org:~/target_dir/');
  assert.deepEqual(s.exclude, ['.git/', 'vendor/', 'web/node_modules', 'bundled/']);
  assert.equal(s.delay, 15);
  assert.equal(s.rsync.compress, true);
  assert.equal(s.rsync.owner, true);
  assert.equal(s.rsync.acls, false);
});

test('seed 4: target on rsyncssh → error on the target line with the fix', async () => {
  const f = seed('4-rsyncssh.lua');
  assert.deepEqual(errorTexts(await loadConfig(f)), [
    `${f}:11: sync[1].target: not valid for mode "rsyncssh", which takes host + targetdir — write targetdir = "~/target_dir" instead`,
  ]);
});

test('seed 5: valid, with warnings for the one-string ssh._extra command line and StrictHostKeyChecking=no', async () => {
  const f = seed('5-both-directions.lua');
  const r = await loadConfig(f);
  const c = expectOk(r);
  assert.equal(c.syncs[0]!.delay, 10);
  assert.deepEqual(warningTexts(r), [
    `${f}:29: sync[1].ssh._extra[1]: holds a whole command line in one string ("/usr/bin/ssh -l user -p 22 -i /home/user…"); ssh receives it as ONE argument — split it into one item per argument, or use ssh.identityFile / ssh.port / ssh.options and host = "user@HOST"`,
    `${f}:29: sync[1].ssh._extra[1]: StrictHostKeyChecking=no disables ssh host key verification (man-in-the-middle risk) — put the host key in known_hosts, or use StrictHostKeyChecking=accept-new`,
  ]);
});

test('seed 6: single file via rsync._extra include/exclude is valid without warnings', async () => {
  const r = await loadConfig(seed('6-single-file.lua'));
  const c = expectOk(r);
  assert.deepEqual(warningTexts(r), []);
  const s = c.syncs[0]!;
  assert.ok(s.mode === 'rsyncssh');
  assert.deepEqual(s.rsync._extra, ['--include=limits.conf', '--exclude=*']);
  assert.equal(s.delete, false);
  assert.equal(s.rsync.protect_args, false);
  assert.equal(s.ssh.port, 22);
  assert.equal(s.targetdir, '/etc/security/');
});

test('seed 7: both missing commas reported, each with its line and a hint', async () => {
  const f = seed('7-multiple-servers.lua');
  assert.deepEqual(errorTexts(await loadConfig(f)), [
    `${f}:4: syntax error: missing comma at the end of line 4 ("statusInterval = 30") — table fields must be separated by "," (Lua: '}' expected (to close '{' at line 1) near 'maxProcesses')`,
    `${f}:14: syntax error: missing comma at the end of line 14 ("rsyncOps="-rltvupgo"") — table fields must be separated by "," (Lua: '}' expected (to close '{' at line 12) near 'target')`,
  ]);
});

test('fixed seeds all load; 5 without warnings; 7 (commas added) warns about rsyncOps once per sync', async () => {
  for (const n of ['1-settings.lua', '4-rsyncssh.lua', '5-both-directions.lua', '7-multiple-servers-modern.lua']) {
    const r = await loadConfig(fixture('fixed', n));
    expectOk(r);
    assert.deepEqual(warningTexts(r), [], n);
  }
  const f = fixture('fixed', '7-multiple-servers.lua');
  const r = await loadConfig(f);
  const c = expectOk(r);
  assert.deepEqual(c.syncs.map((s) => (s.mode === 'rsync' ? s.target : '')), ['1.0.0.2:/var/www/html/', '1.0.0.3:/var/www/html/']);
  assert.equal(c.settings.maxProcesses, 3);
  assert.deepEqual(c.syncs.map((s) => s.maxProcesses), [3, 3]);
  assert.equal(r.warnings.length, 2);
  assert.match(r.warnings[0]!.text, /:14: sync\[1\]\.rsyncOps: deprecated lsyncd 2\.0 option string/);
  // the modern rewrite of seed 7 is the same normalised config
  const modern = expectOk(await loadConfig(fixture('fixed', '7-multiple-servers-modern.lua')));
  assert.deepEqual(modern.syncs.map((s) => ({ ...s, line: 0 })), c.syncs.map((s) => ({ ...s, line: 0 })));
});
