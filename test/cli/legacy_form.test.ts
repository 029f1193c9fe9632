// The lsyncd-compatible command line of the real binary (docs/lsyncd-compat.md#command-line and docs/lsyncd-compat.md#signals-and-exit-codes exit codes): -version 0, -help 255, no arguments 255, bad options
// 255 with lsyncd's message, a bad config 255, and a valid config reaching the engine
// (a missing source → 255).
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startSshd } from '../helpers/sshd.js';
import { tempDir } from '../helpers/temp_tree.js';
import { fixture, packageVersion, repoRoot, runBin } from './run_bin.js';


test('-version and --version print "Version: <package version>" and exit 0', () => {
  for (const flag of ['-version', '--version']) {
    const r = runBin([flag]);
    assert.equal(r.code, 0, flag);
    assert.equal(r.stdout, `Version: ${packageVersion()}\n`);
  }
});

test('-help prints lsyncd usage and exits 255; so does no argument at all', () => {
  for (const args of [['-help'], []]) {
    const r = runBin(args);
    assert.equal(r.code, 255, args.join(' '));
    assert.match(r.stdout, /^USAGE:\n {2}run a config file:\n {4}lsyncd-ts \[OPTIONS\] \[CONFIG-FILE\]/);
    assert.match(r.stdout, /-rsyncssh \[SOURCE\] \[HOST\] \[TARGETDIR\]/);
  }
});

test('bad options exit 255 with lsyncd\'s messages', () => {
  const cases: [string[], string][] = [
    [['-bogus'], 'Error: unknown option command line option -bogus'],
    [['--bogus', 'x.lua'], 'Error: unknown option command line option --bogus'],
    [['-log', 'foo', 'x.lua'], "Error: 'foo' is not a valid logging category"],
    [['-delay', 'soon', 'x.lua'], 'Error: -delay needs a number of seconds >= 0, got "soon"'],
    [['-rsync', '/a'], 'Error: option -rsync needs 2 arguments'],
    [['-rsync', '/a', '/b', 'x.lua'], 'Error: There cannot be command line syncs and a config file together.'],
    [['-runner', 'x.lua'], 'Error: -runner is not supported: lsyncd-ts has no Lua runner to replace'],
    [['-script', 's.lua', '-rsync', '/a', '/b'], "Error: -script is not supported: it runs a Lua file inside lsyncd's runner before the config; put that Lua at the top of the config file instead"],
  ];
  for (const [args, message] of cases) {
    const r = runBin(args);
    assert.equal(r.code, 255, args.join(' '));
    assert.equal(r.stderr.split('\n')[0], message, args.join(' '));
    assert.equal(r.stdout, '');
  }
});

test('a bad config exits 255 with one "Error: FILE:LINE: …" line per problem', () => {
  const f4 = fixture('seed-configs', '4-rsyncssh.lua');
  const r = runBin(['-nodaemon', f4]);
  assert.equal(r.code, 255);
  assert.equal(r.stderr, `Error: ${f4}:11: sync[1].target: not valid for mode "rsyncssh", which takes host + targetdir — write targetdir = "~/target_dir" instead\n`);
  const f7 = fixture('seed-configs', '7-multiple-servers.lua');
  const r7 = runBin([f7]);
  assert.equal(r7.code, 255);
  assert.match(r7.stderr, new RegExp(`^Error: ${f7.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4: syntax error: missing comma at the end of line 4`));
  const missing = runBin(['--nodaemon', '/nonexistent/lsyncd.conf']);
  assert.equal(missing.code, 255);
  assert.match(missing.stderr, /^Error: \/nonexistent\/lsyncd\.conf: cannot read config: ENOENT/);
});

test('a valid config (file, relative path, or command-line syncs) reaches the engine: a missing source exits 255 naming the fix', (t) => {
  const dir = tempDir(t);
  const nosrc = path.join(dir, 'nosrc');
  // A relative config path, with the example's log and status files moved into the temp dir so
  // the test writes nothing under /var/log.
  const example = JSON.parse(readFileSync(fixture('example.json'), 'utf8')) as { settings: Record<string, unknown> };
  example.settings['logfile'] = path.join(dir, 'example.log');
  example.settings['statusFile'] = path.join(dir, 'example.status');
  writeFileSync(path.join(dir, 'example.json'), JSON.stringify(example));
  const cases: [string[], string][] = [
    [['-nodaemon', '-log', 'Exec', '-delay', '3', '-logfile', path.join(dir, 'l.log'), fixture('fixed', '1-settings.lua')], repoRoot],
    [['example.json'], dir],
    [['-rsync', nosrc, path.join(dir, 'dst')], repoRoot],
    [['-direct', nosrc, path.join(dir, 'dst'), '-rsyncssh', nosrc, 'host', '/dst'], repoRoot],
  ];
  for (const [args, cwd] of cases) {
    const r = runBin(args, {}, cwd);
    assert.equal(r.code, 255, args.join(' '));
    assert.match(r.stderr.trimEnd().split('\n').at(-1)!, /Error: .*Cannot access source directory: .* — create it or fix "source"$/, args.join(' '));
  }
});

test('warnings of a valid config are printed as "Warn: …" before starting', (t) => {
  const dir = tempDir(t);
  const src = path.join(dir, 'nosrc');
  const r = runBin(['-rsync', src, path.join(dir, 't'), '-rsync', path.join(dir, 'other'), path.join(dir, 't')]);
  assert.equal(r.code, 255);
  assert.match(r.stderr, /^Warn: <command line>: sync\[2\]: writes the same target ".*\/t\/" as sync\[1\]/);
});

test('a bare word that is neither a subcommand nor a file gets yargs\' suggestion (exit 255)', () => {
  const r = runBin(['chek-config', 'x']);
  assert.equal(r.code, 255);
  assert.match(r.stderr, /Did you mean check-config\?/);
});

test('-sshopts reaches the loopback sshd: its port, key and known_hosts come only from -sshopts', async (t) => {
  const sshd = await startSshd(t);
  const dir = tempDir(t);
  const src = path.join(dir, 'src');
  const dst = path.join(dir, 'dst');
  mkdirSync(src);
  mkdirSync(dst);
  writeFileSync(path.join(src, 'hello.txt'), 'over ssh\n');
  // sshArgv is `-F none -i KEY -p PORT -o UserKnownHostsFile=… …`: without it ssh cannot log in.
  const sshopts = ['-o', 'ServerAliveInterval=7', ...sshd.sshArgv].join(' ');
  const r = runBin(['-nodaemon', '-onepass', '-log', 'Exec', '-sshopts', sshopts, '-rsyncssh', src, `${sshd.user}@${sshd.host}`, dst], { PATH: process.env['PATH'] ?? '/usr/bin:/bin' });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(readFileSync(path.join(dst, 'hello.txt'), 'utf8'), 'over ssh\n');
  assert.ok(sshd.countLog(/Accepted publickey/) > 0, 'the sync logged in to our sshd');
  assert.match(r.stdout + r.stderr, /-o ServerAliveInterval=7 -F none -i /, 'the options follow --rsh=ssh in lsyncd\'s order');
});
